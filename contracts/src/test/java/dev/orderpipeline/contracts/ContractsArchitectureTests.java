package dev.orderpipeline.contracts;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

class ContractsArchitectureTests {

	@Test
	void contractsDependOnTheJdkAndJacksonAnnotationsOnly() {
		JavaClasses contracts = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
			.importPackages("dev.orderpipeline.contracts");
		classes().should()
			.onlyDependOnClassesThat()
			.resideInAnyPackage("dev.orderpipeline.contracts..", "java..", "javax.crypto..",
					"com.fasterxml.jackson.annotation..")
			.check(contracts);
	}

}
