package dev.orderpipeline.sink.consuming;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.orderpipeline.contracts.GoldenSamples;
import dev.orderpipeline.contracts.NewOrder;
import dev.orderpipeline.contracts.OrderChannel;
import dev.orderpipeline.contracts.OrderPlaced;
import dev.orderpipeline.contracts.OrderSignature;
import dev.orderpipeline.contracts.OrderStatus;
import dev.orderpipeline.sink.rabbit.RabbitReceivedMessages;
import dev.orderpipeline.testsupport.TestSigning;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.json.JsonMapper;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class InboundOrderDecoderTests {

	static final List<String> goldens = GoldenSamples.ORDER_PLACED;

	static final List<String> legacyGoldens = GoldenSamples.LEGACY_ORDERS;

	static final List<GoldenSamples.Broken> broken = GoldenSamples.BROKEN_ORDER_PLACED;

	private static final Instant NOW = Instant.parse("2026-11-24T09:00:00Z");

	private final JsonMapper json = JsonMapper.builder().build();

	private final InboundOrderDecoder decoder = new InboundOrderDecoder(this.json, Clock.fixed(NOW, ZoneOffset.UTC),
			TestSigning.signature(), new RabbitReceivedMessages(), null);

	@ParameterizedTest
	@FieldSource("goldens")
	void readsEveryGoldenAsTheContractWritesIt(String golden) {
		byte[] body = GoldenSamples.read(golden).getBytes(UTF_8);
		OrderPlaced order = this.decoder.decode(body, signed(body));
		assertThat(this.json.readTree(this.json.writeValueAsString(order))).isEqualTo(this.json.readTree(body));
	}

	@ParameterizedTest
	@FieldSource("goldens")
	void refusesEveryGoldenWithoutItsSignature(String golden) {
		assertThatExceptionOfType(UnverifiedOrderException.class)
			.isThrownBy(() -> this.decoder.decode(GoldenSamples.read(golden).getBytes(UTF_8), Map.of()))
			.withMessageContaining("without a signature");
	}

	@ParameterizedTest
	@ValueSource(strings = { "orderId", "createdAt", "updatedAt", "channel" })
	void refusesALegacyBodyWithAnyFieldOnlyTheSourceSetsUnlessSigned(String field) {
		// A legacy publisher naming another sender's order id, or the API channel.
		String forged = "{\"medicationId\": \"m\", \"sender_userId\": \"victim\", \"" + field + "\": "
				+ (field.equals("orderId") ? "\"" + UUID.randomUUID() + "\"" : "\"API\"") + "}";
		assertThatExceptionOfType(UnverifiedOrderException.class)
			.isThrownBy(() -> this.decoder.decode(forged.getBytes(UTF_8), Map.of()))
			.withMessageContaining(field);
	}

	@Test
	void refusesASignatureThatDoesNotMatchTheBody() {
		byte[] body = GoldenSamples.read("order-placed-api.json").getBytes(UTF_8);
		byte[] changed = new String(body, UTF_8).replace("\"API\"", "\"LEGACY_HTTP\"").getBytes(UTF_8);
		assertThat(changed).isNotEqualTo(body);
		assertThatExceptionOfType(UnverifiedOrderException.class)
			.isThrownBy(() -> this.decoder.decode(changed, signed(body)))
			.withMessage("the signature does not match the body");
	}

	@Test
	void refusesASignatureByAnUnknownKey() {
		byte[] body = GoldenSamples.read("order-placed-api.json").getBytes(UTF_8);
		String forged = OrderSignature.of(Map.of("test", TestSigning.newKey()), "test").sign(body);
		assertThatExceptionOfType(UnverifiedOrderException.class)
			.isThrownBy(() -> this.decoder.decode(body, Map.of(OrderSignature.HEADER, forged)));
		String unknown = OrderSignature.of(Map.of("other", TestSigning.newKey()), "other").sign(body);
		assertThatExceptionOfType(UnverifiedOrderException.class)
			.isThrownBy(() -> this.decoder.decode(body, Map.of(OrderSignature.HEADER, unknown)))
			.withMessage("the signature's key is unknown");
		assertThatExceptionOfType(UnverifiedOrderException.class)
			.isThrownBy(() -> this.decoder.decode(body, Map.of(OrderSignature.HEADER, "no signature at all")));
	}

	@Test
	void acceptsASignatureAsTheKafkaBinderDeliversIt() {
		byte[] body = GoldenSamples.read("order-placed-api.json").getBytes(UTF_8);
		assertThat(this.decoder.decode(body, Map.of(OrderSignature.HEADER, TestSigning.sign(body).getBytes(UTF_8))))
			.isNotNull();
	}

	@Test
	void acceptsUnsignedMessagesOfTheSourceOnlyUntilTheGraceEnds() {
		byte[] body = GoldenSamples.read("order-placed-api.json").getBytes(UTF_8);
		InboundOrderDecoder during = new InboundOrderDecoder(this.json, Clock.fixed(NOW, ZoneOffset.UTC),
				TestSigning.signature(), new RabbitReceivedMessages(), NOW.plusSeconds(1));
		InboundOrderDecoder after = new InboundOrderDecoder(this.json, Clock.fixed(NOW, ZoneOffset.UTC),
				TestSigning.signature(), new RabbitReceivedMessages(), NOW);
		assertThat(during.decode(body, Map.of()).channel()).isEqualTo(OrderChannel.API);
		assertThatExceptionOfType(UnverifiedOrderException.class).isThrownBy(() -> after.decode(body, Map.of()));
	}

	@ParameterizedTest
	@FieldSource("legacyGoldens")
	void readsEveryLegacyGoldenAsALegacyQueueOrder(String golden) {
		OrderPlaced order = this.decoder.decode(GoldenSamples.read(golden).getBytes(UTF_8), Map.of());
		assertThat(order.channel()).isEqualTo(OrderChannel.LEGACY_QUEUE);
		assertThat(order.status()).contains(OrderStatus.PENDING);
		assertThat(order.createdAt()).isEqualTo(NOW);
	}

	@ParameterizedTest
	@FieldSource("broken")
	void refusesEveryBrokenSampleNamingItsField(GoldenSamples.Broken sample) {
		byte[] body = GoldenSamples.read(sample).getBytes(UTF_8);
		assertThatExceptionOfType(UndecodableOrderException.class)
			.isThrownBy(() -> this.decoder.decode(body, signed(body)))
			.withMessageContaining(sample.field());
	}

	@ParameterizedTest
	@ValueSource(strings = { "", "not json", "[1, 2]", "\"text\"", "{\"medicationId\": \"m\"", "null" })
	void refusesWhatIsNotAJsonObject(String body) {
		assertThatExceptionOfType(UndecodableOrderException.class)
			.isThrownBy(() -> this.decoder.decode(body.getBytes(UTF_8), Map.of()));
	}

	@Test
	void aLegacyOrderTakesItsIdFromTheMessageIdSoARedeliveryIsTheSameOrder() {
		Map<String, Object> headers = Map.of(RabbitReceivedMessages.MESSAGE_ID_HEADER, "pika-41");
		assertThat(legacy(headers).orderId()).isEqualTo(legacy(headers).orderId());
	}

	@Test
	void aLegacyMessageIdThatIsAUuidIsNotTakenAsItIs() {
		// Else a legacy publisher could take the id of a victim's order, placed later and
		// then dropped as a duplicate.
		UUID victims = UUID.randomUUID();
		Map<String, Object> headers = Map.of(RabbitReceivedMessages.MESSAGE_ID_HEADER, victims.toString());
		assertThat(legacy(headers).orderId()).isNotEqualTo(victims)
			.isEqualTo(NewOrder.idForMessage(victims.toString()));
	}

	@Test
	void aLegacyMessageIdThatIsNotAUuidStillNamesOneOrder() {
		Map<String, Object> headers = Map.of(RabbitReceivedMessages.MESSAGE_ID_HEADER, "pika-42");
		assertThat(legacy(headers).orderId()).isEqualTo(legacy(headers).orderId());
		assertThat(legacy(headers).orderId())
			.isNotEqualTo(legacy(Map.of(RabbitReceivedMessages.MESSAGE_ID_HEADER, "pika-43")).orderId());
	}

	@Test
	void twoIdenticalLegacyOrdersWithoutMessageIdAreTwoOrders() {
		assertThat(legacy(Map.of()).orderId()).isNotEqualTo(legacy(Map.of()).orderId());
	}

	@Test
	void aLegacyOrderKeepsTheTimeItsPublisherStamped() {
		Instant stamped = Instant.parse("2026-11-20T10:15:30Z");
		Map<String, Object> headers = Map.of(RabbitReceivedMessages.TIMESTAMP_HEADER, Date.from(stamped));
		assertThat(legacy(headers).createdAt()).isEqualTo(stamped);
	}

	private static Map<String, Object> signed(byte[] body) {
		return Map.of(OrderSignature.HEADER, TestSigning.sign(body));
	}

	private OrderPlaced legacy(Map<String, Object> headers) {
		return this.decoder.decode(GoldenSamples.read("legacy-order.json").getBytes(UTF_8), headers);
	}

}
