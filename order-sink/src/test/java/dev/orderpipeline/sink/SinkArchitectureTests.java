package dev.orderpipeline.sink;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The broker lives in its adapter: the sink's function, decoding, store, read API,
 * dead-letter commands and settings speak the product's language, so another binder needs
 * another adapter, not other functions.
 */
class SinkArchitectureTests {

	private static final String ADAPTERS = "dev.orderpipeline.sink.rabbit..";

	private static final String[] BROKER_TYPES = { "com.rabbitmq..", "org.springframework.amqp..",
			"org.springframework.integration.amqp..", "org.apache.kafka..", "org.springframework.kafka..",
			"org.springframework.integration.kafka.." };

	private final JavaClasses sink = new ClassFileImporter()
		.withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
		.importPackages("dev.orderpipeline.sink");

	@Test
	void onlyTheAdaptersUseBrokerTypes() {
		noClasses().that()
			.resideOutsideOfPackages(ADAPTERS)
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage(BROKER_TYPES)
			.check(this.sink);
	}

	@Test
	void onlyTheAdaptersNameBinderHeaders() throws IOException {
		Path sources = Path.of("src/main/java/dev/orderpipeline/sink");
		try (Stream<Path> files = Files.walk(sources)) {
			List<Path> naming = files.filter((file) -> file.toString().endsWith(".java"))
				.filter((file) -> !file.startsWith(sources.resolve("rabbit")))
				.filter((file) -> {
					try {
						String code = Files.readString(file);
						return code.contains("\"amqp_") || code.contains("\"kafka_");
					}
					catch (IOException ex) {
						throw new IllegalStateException(ex);
					}
				})
				.toList();
			assertThat(naming).as("core sources naming amqp_* or kafka_* headers").isEmpty();
		}
	}

}
