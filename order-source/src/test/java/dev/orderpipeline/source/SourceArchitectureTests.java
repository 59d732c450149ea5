package dev.orderpipeline.source;

import java.nio.file.Path;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.orderpipeline.testsupport.BinderBoundaries;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class SourceArchitectureTests {

	private final JavaClasses source = new ClassFileImporter()
		.withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
		.importPackages("dev.orderpipeline.source");

	private final BinderBoundaries boundaries = new BinderBoundaries("dev.orderpipeline.source", "rabbit", "kafka");

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

	@Test
	void onlyTheAdaptersUseBrokerTypes() {
		this.boundaries.assertOnlyTheAdaptersUseBrokerTypes();
	}

	@Test
	void theRulesSeeTheAdaptersOwnBrokerTypes() {
		BinderBoundaries withoutAdapters = new BinderBoundaries("dev.orderpipeline.source");
		assertThatExceptionOfType(AssertionError.class)
			.isThrownBy(withoutAdapters::assertOnlyTheAdaptersUseBrokerTypes);
	}

	@Test
	void onlyTheAdaptersNameBinderHeaders() {
		this.boundaries.assertOnlyTheAdaptersNameBinderHeaders(Path.of("src/main/java"));
	}

	@Test
	void ordersTravelOneWayFromTheRoutesThroughTheIntakeToThePublisherAndItsAdapters() {
		layeredArchitecture().consideringOnlyDependenciesInLayers()
			.layer("http")
			.definedBy("dev.orderpipeline.source.http..")
			.layer("intake")
			.definedBy("dev.orderpipeline.source.intake..")
			.layer("publishing")
			.definedBy("dev.orderpipeline.source.publishing..")
			.layer("adapters")
			.definedBy("dev.orderpipeline.source.rabbit..", "dev.orderpipeline.source.kafka..")
			.whereLayer("http")
			.mayNotBeAccessedByAnyLayer()
			.whereLayer("intake")
			.mayOnlyBeAccessedByLayers("http")
			.whereLayer("publishing")
			.mayOnlyBeAccessedByLayers("http", "intake", "adapters")
			.whereLayer("adapters")
			.mayNotBeAccessedByAnyLayer()
			.check(this.source);
	}

}
