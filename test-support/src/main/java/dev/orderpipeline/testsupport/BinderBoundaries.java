package dev.orderpipeline.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The promise that a service's functions do not know the broker: only its adapter
 * packages (one per binder) use broker types or name binder-specific headers.
 */
public final class BinderBoundaries {

	/** The packages of the brokers' clients and of Spring's support for them. */
	public static final String[] BROKER_TYPES = { "com.rabbitmq..", "org.springframework.amqp..",
			"org.springframework.integration.amqp..", "org.apache.kafka..", "org.springframework.kafka..",
			"org.springframework.integration.kafka.." };

	private final String basePackage;

	private final List<String> adapters;

	/**
	 * The boundaries of one service.
	 * @param basePackage the service's package
	 * @param adapters the adapter packages' names below it ({@code rabbit},
	 * {@code kafka})
	 */
	public BinderBoundaries(String basePackage, String... adapters) {
		this.basePackage = basePackage;
		this.adapters = List.of(adapters);
	}

	/**
	 * Fails if a class outside the adapters depends on a broker type.
	 */
	public void assertOnlyTheAdaptersUseBrokerTypes() {
		JavaClasses classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
			.importPackages(this.basePackage);
		String[] adapterPackages = this.adapters.stream()
			.map((adapter) -> this.basePackage + "." + adapter + "..")
			.toArray(String[]::new);
		noClasses().that()
			.resideOutsideOfPackages(adapterPackages)
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage(BROKER_TYPES)
			.check(classes);
	}

	/**
	 * Fails if a source outside the adapters names an {@code amqp_*} or {@code kafka_*}
	 * header.
	 * @param sources the service's main sources ({@code src/main/java})
	 */
	public void assertOnlyTheAdaptersNameBinderHeaders(Path sources) {
		Path base = sources.resolve(this.basePackage.replace('.', '/'));
		assertThat(base).isDirectory();
		try (Stream<Path> files = Files.walk(base)) {
			List<Path> naming = files.filter((file) -> file.toString().endsWith(".java"))
				.filter((file) -> this.adapters.stream().noneMatch((adapter) -> file.startsWith(base.resolve(adapter))))
				.filter((file) -> namesBinderHeaders(file))
				.toList();
			assertThat(naming).as("sources outside the adapters %s naming amqp_* or kafka_* headers", this.adapters)
				.isEmpty();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static boolean namesBinderHeaders(Path file) {
		try {
			String code = Files.readString(file);
			return code.contains("\"amqp_") || code.contains("\"kafka_");
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
