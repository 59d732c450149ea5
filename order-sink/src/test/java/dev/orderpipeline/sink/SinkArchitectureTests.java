package dev.orderpipeline.sink;

import java.nio.file.Path;

import dev.orderpipeline.testsupport.BinderBoundaries;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The broker lives in its adapter: the sink's function, decoding, store, read API,
 * dead-letter commands and settings speak the product's language, so another binder needs
 * another adapter, not other functions.
 */
class SinkArchitectureTests {

	private final BinderBoundaries boundaries = new BinderBoundaries("dev.orderpipeline.sink", "rabbit", "kafka");

	@Test
	void onlyTheAdaptersUseBrokerTypes() {
		this.boundaries.assertOnlyTheAdaptersUseBrokerTypes();
	}

	@Test
	void theRulesSeeTheAdaptersOwnBrokerTypesAndHeaders() {
		BinderBoundaries withoutAdapters = new BinderBoundaries("dev.orderpipeline.sink");
		assertThatExceptionOfType(AssertionError.class)
			.isThrownBy(withoutAdapters::assertOnlyTheAdaptersUseBrokerTypes);
		assertThatExceptionOfType(AssertionError.class)
			.isThrownBy(() -> withoutAdapters.assertOnlyTheAdaptersNameBinderHeaders(Path.of("src/main/java")));
	}

	@Test
	void onlyTheAdaptersNameBinderHeaders() {
		this.boundaries.assertOnlyTheAdaptersNameBinderHeaders(Path.of("src/main/java"));
	}

}
