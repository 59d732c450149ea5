package dev.orderpipeline.contracts;

import java.util.List;

import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class SchemaTests {

	private static final SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
			(builder) -> builder.schemaIdResolvers((resolvers) -> resolvers
				.mapPrefix("https://orderpipeline.dev/schemas/", "classpath:dev/orderpipeline/contracts/")));

	private static final Schema orderPlaced = load(GoldenSamples.ORDER_PLACED_SCHEMA);

	private static final Schema legacyOrder = load(GoldenSamples.LEGACY_ORDER_SCHEMA);

	static final List<String> orderPlacedSamples = GoldenSamples.ORDER_PLACED;

	static final List<String> legacySamples = GoldenSamples.LEGACY_ORDERS;

	static final List<GoldenSamples.Broken> brokenSamples = GoldenSamples.BROKEN_ORDER_PLACED;

	private static Schema load(String path) {
		Schema schema = registry.getSchema(SchemaLocation.of("classpath:" + path));
		schema.initializeValidators();
		return schema;
	}

	@ParameterizedTest
	@FieldSource("orderPlacedSamples")
	void acceptsEveryOrderPlacedGolden(String sample) {
		assertThat(orderPlaced.validate(GoldenSamples.read(sample), InputFormat.JSON)).isEmpty();
	}

	@ParameterizedTest
	@FieldSource("legacySamples")
	void acceptsEveryLegacyGolden(String sample) {
		assertThat(legacyOrder.validate(GoldenSamples.read(sample), InputFormat.JSON)).isEmpty();
	}

	@ParameterizedTest
	@FieldSource("brokenSamples")
	void rejectsEveryBrokenSampleAtItsField(GoldenSamples.Broken broken) {
		List<Error> errors = orderPlaced.validate(GoldenSamples.read(broken), InputFormat.JSON);
		assertThat(errors).isNotEmpty().anySatisfy((error) -> assertThat(fieldOf(error)).isEqualTo(broken.field()));
	}

	@ParameterizedTest
	@ValueSource(strings = { "{\"sender_userId\": \"u\"}", "{\"medicationId\": \"m\"}",
			"{\"medicationId\": \"m\", \"sender_userId\": \"u\", \"status\": [\"LOST\"]}",
			"{\"medicationId\": \"\", \"sender_userId\": \"u\"}", "{\"medicationId\": true, \"sender_userId\": \"u\"}",
			"{\"medicationId\": \"m\", \"sender_userId\": [\"u\"]}", "[]" })
	void rejectsBrokenLegacyBodies(String body) {
		assertThat(legacyOrder.validate(body, InputFormat.JSON)).isNotEmpty();
	}

	@Test
	void legacySchemaIgnoresUnknownPropertiesAsTheLegacyServiceDid() {
		String body = "{\"medicationId\": \"m\", \"sender_userId\": \"u\", \"note\": \"ignored\"}";
		assertThat(legacyOrder.validate(body, InputFormat.JSON)).isEmpty();
	}

	private static String fieldOf(Error error) {
		if (error.getProperty() != null && error.getInstanceLocation().getNameCount() == 0) {
			return error.getProperty();
		}
		return String.valueOf(error.getInstanceLocation().getName(0));
	}

}
