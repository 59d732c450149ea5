package dev.orderpipeline.sink.intake;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.orderpipeline.contracts.GoldenSamples;
import dev.orderpipeline.contracts.OrderChannel;
import dev.orderpipeline.contracts.OrderPlaced;
import dev.orderpipeline.contracts.OrderStatus;
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

	private final InboundOrderDecoder decoder = new InboundOrderDecoder(this.json, Clock.fixed(NOW, ZoneOffset.UTC));

	@ParameterizedTest
	@FieldSource("goldens")
	void readsEveryGoldenAsTheContractWritesIt(String golden) {
		String text = GoldenSamples.read(golden);
		OrderPlaced order = this.decoder.decode(text.getBytes(UTF_8), Map.of());
		assertThat(this.json.readTree(this.json.writeValueAsString(order))).isEqualTo(this.json.readTree(text));
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
		assertThatExceptionOfType(UndecodableOrderException.class)
			.isThrownBy(() -> this.decoder.decode(GoldenSamples.read(sample).getBytes(UTF_8), Map.of()))
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
		UUID messageId = UUID.randomUUID();
		Map<String, Object> headers = Map.of(InboundOrderDecoder.MESSAGE_ID_HEADER, messageId.toString());
		assertThat(legacy(headers).orderId()).isEqualTo(messageId);
	}

	@Test
	void aLegacyMessageIdThatIsNotAUuidStillNamesOneOrder() {
		Map<String, Object> headers = Map.of(InboundOrderDecoder.MESSAGE_ID_HEADER, "pika-42");
		assertThat(legacy(headers).orderId()).isEqualTo(legacy(headers).orderId());
		assertThat(legacy(headers).orderId())
			.isNotEqualTo(legacy(Map.of(InboundOrderDecoder.MESSAGE_ID_HEADER, "pika-43")).orderId());
	}

	@Test
	void twoIdenticalLegacyOrdersWithoutMessageIdAreTwoOrders() {
		assertThat(legacy(Map.of()).orderId()).isNotEqualTo(legacy(Map.of()).orderId());
	}

	@Test
	void aLegacyOrderKeepsTheTimeItsPublisherStamped() {
		Instant stamped = Instant.parse("2026-11-20T10:15:30Z");
		Map<String, Object> headers = Map.of(InboundOrderDecoder.TIMESTAMP_HEADER, Date.from(stamped));
		assertThat(legacy(headers).createdAt()).isEqualTo(stamped);
	}

	private OrderPlaced legacy(Map<String, Object> headers) {
		return this.decoder.decode(GoldenSamples.read("legacy-order.json").getBytes(UTF_8), headers);
	}

}
