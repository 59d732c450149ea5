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
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.FieldSource;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import static org.assertj.core.api.Assertions.assertThat;

class SchemaTests {

	private static final SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
			(builder) -> builder.schemaIdResolvers((resolvers) -> resolvers
				.mapPrefix("https://orderpipeline.dev/schemas/", "classpath:dev/orderpipeline/contracts/")));

	private static final Schema orderPlaced = load(GoldenSamples.ORDER_PLACED_SCHEMA);

	private static final Schema legacyOrder = load(GoldenSamples.LEGACY_ORDER_SCHEMA);

	private static final Schema statusChangeRequested = load(GoldenSamples.STATUS_CHANGE_REQUESTED_SCHEMA);

	private static final JsonMapper json = JsonMapper.builder().build();

	static final List<String> orderPlacedSamples = GoldenSamples.ORDER_PLACED;

	static final List<String> legacySamples = GoldenSamples.LEGACY_ORDERS;

	static final List<GoldenSamples.Broken> brokenSamples = GoldenSamples.BROKEN_ORDER_PLACED;

	static final List<String> statusChangeSamples = GoldenSamples.STATUS_CHANGE_REQUESTED;

	static final List<GoldenSamples.Broken> brokenStatusChangeSamples = GoldenSamples.BROKEN_STATUS_CHANGE_REQUESTED;

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

	@ParameterizedTest
	@FieldSource("statusChangeSamples")
	void acceptsEveryStatusChangeGolden(String sample) {
		assertThat(statusChangeRequested.validate(GoldenSamples.read(sample), InputFormat.JSON)).isEmpty();
	}

	@ParameterizedTest
	@FieldSource("brokenStatusChangeSamples")
	void rejectsEveryBrokenStatusChangeAtItsField(GoldenSamples.Broken broken) {
		List<Error> errors = statusChangeRequested.validate(GoldenSamples.read(broken), InputFormat.JSON);
		assertThat(errors).isNotEmpty().anySatisfy((error) -> assertThat(fieldOf(error)).isEqualTo(broken.field()));
	}

	@Test
	void statusChangeSchemaTakesAnAbsentReasonAsNone() {
		ObjectNode body = approvedChange();
		body.remove("reason");
		assertThat(statusChangeRequested.validate(json.writeValueAsString(body), InputFormat.JSON)).isEmpty();
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', textBlock = """
			requestedAt | "2026-11-24T08:20:05.481293+01:00"
			requestedAt | "yesterday"
			baseVersion | "1"
			baseVersion | 1.5
			baseVersion | 2147483648
			status      | "approved"
			roles       | "pharmacist"
			roles       | [null]
			reason      | 42
			reason      | "Dose \\u202e003 gm"
			actor       | ""
			orderId     | null
			note        | "not a field of the contract"
			""")
	void rejectsStatusChangesOffTheContractAtTheirField(String field, String value) {
		ObjectNode body = approvedChange();
		body.set(field, json.readTree(value));
		List<Error> errors = statusChangeRequested.validate(json.writeValueAsString(body), InputFormat.JSON);
		assertThat(errors).isNotEmpty().anySatisfy((error) -> assertThat(fieldOf(error)).isEqualTo(field));
	}

	private static ObjectNode approvedChange() {
		return (ObjectNode) json.readTree(GoldenSamples.read("status-change-approved.json"));
	}

	private static String fieldOf(Error error) {
		if (error.getProperty() != null && error.getInstanceLocation().getNameCount() == 0) {
			return error.getProperty();
		}
		return String.valueOf(error.getInstanceLocation().getName(0));
	}

}
