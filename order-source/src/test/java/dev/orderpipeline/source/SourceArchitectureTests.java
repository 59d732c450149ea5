package dev.orderpipeline.source;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

class SourceArchitectureTests {

	private final JavaClasses source = new ClassFileImporter()
		.withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
		.importPackages("dev.orderpipeline.source");

	@Test
	void theSourceNeverTouchesTheDatabase() {
		noClasses().should()
			.dependOnClassesThat()
			.resideInAnyPackage("io.r2dbc..", "org.springframework.r2dbc..", "org.springframework.data..", "java.sql..")
			.check(this.source);
	}

	@Test
	void theSourceNeverBlocksOnAnEventLoopThroughTheBlockingReactorOperators() {
		noClasses().should()
			.callMethod(reactor.core.publisher.Mono.class, "block")
			.orShould()
			.callMethod(reactor.core.publisher.Mono.class, "block", java.time.Duration.class)
			.check(this.source);
	}

}
