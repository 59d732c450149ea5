package dev.orderpipeline.contracts;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;
import tools.jackson.databind.DatabindException;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.catchThrowable;

class OrderPlacedTests {

	private static final JsonMapper json = JsonMapper.builder().build();

	static final List<String> orderPlacedSamples = GoldenSamples.ORDER_PLACED;

	static final List<GoldenSamples.Broken> brokenSamples = GoldenSamples.BROKEN_ORDER_PLACED;

	@ParameterizedTest
	@FieldSource("orderPlacedSamples")
	void roundTripsEveryGolden(String sample) {
		String text = GoldenSamples.read(sample);
		OrderPlaced order = json.readValue(text, OrderPlaced.class);
		assertThat(json.readTree(json.writeValueAsString(order))).isEqualTo(json.readTree(text));
	}

	@ParameterizedTest
	@FieldSource("brokenSamples")
	void refusesEveryBrokenSampleNamingItsField(GoldenSamples.Broken broken) {
		Throwable failure = catchThrowable(() -> json.readValue(GoldenSamples.read(broken), OrderPlaced.class));
		assertThat(failure).isInstanceOf(DatabindException.class);
		assertThat(fieldOf((DatabindException) failure)).isEqualTo(broken.field());
	}

	@Test
	void legacyOrderWithoutStatusIsPending() {
		NewOrder order = json.readValue(GoldenSamples.read("legacy-order-without-status.json"), NewOrder.class);
		assertThat(order.status()).containsExactly(OrderStatus.PENDING);
	}

	@Test
	void legacyNumericIdentifiersAreReadAsTheirText() {
		NewOrder order = json.readValue(GoldenSamples.read("legacy-order-numeric-ids.json"), NewOrder.class);
		assertThat(order.medicationId()).isEqualTo("42");
		assertThat(order.senderUserId()).isEqualTo("7");
	}

	@Test
	void legacyOrderBecomesAnEventWithTheGivenIdentityTimeAndChannel() {
		UUID id = UUID.randomUUID();
		Instant at = Instant.parse("2026-11-24T08:00:00Z");
		OrderPlaced event = new NewOrder("m", "u", null).toEvent(id, at, OrderChannel.LEGACY_QUEUE);
		assertThat(event)
			.isEqualTo(new OrderPlaced(id, "m", "u", List.of(OrderStatus.PENDING), at, OrderChannel.LEGACY_QUEUE));
	}

	@Test
	void aMigratedRowBecomesAnEventUnderTheIdOfItsRowWithItsTimes() {
		Instant created = Instant.parse("2024-03-18T09:41:07.512Z");
		Instant updated = Instant.parse("2024-03-19T10:00:00Z");
		NewOrder order = new NewOrder("m", "u", List.of(OrderStatus.PENDING, OrderStatus.APPROVED));
		OrderPlaced event = order.toMigratedEvent("42", created, updated);
		assertThat(event).isEqualTo(new OrderPlaced(NewOrder.idForLegacyRow("42"), "m", "u",
				List.of(OrderStatus.PENDING, OrderStatus.APPROVED), created, OrderChannel.LEGACY_MIGRATION, updated));
		assertThat(event.lastChangedAt()).isEqualTo(updated);
		assertThat(order.toMigratedEvent("42", created, updated).orderId()).isEqualTo(event.orderId());
		assertThat(NewOrder.idForLegacyRow("43")).isNotEqualTo(event.orderId());
		// A row id and a message id of the same text name different orders.
		assertThat(NewOrder.idForMessage("42")).isNotEqualTo(event.orderId());
	}

	@Test
	void anOrderWithoutUpdatedAtLastChangedWhenCreatedAndWritesNoUpdatedAt() {
		Instant at = Instant.parse("2026-11-24T08:00:00Z");
		OrderPlaced event = new OrderPlaced(UUID.randomUUID(), "m", "u", List.of(OrderStatus.PENDING), at,
				OrderChannel.API);
		assertThat(event.lastChangedAt()).isEqualTo(at);
		assertThat(json.readTree(json.writeValueAsString(event)).has("updatedAt")).isFalse();
	}

	@Test
	void statusIsCopiedSoTheEventCannotChangeAfterwards() {
		List<OrderStatus> status = new ArrayList<>(List.of(OrderStatus.PENDING));
		OrderPlaced event = new OrderPlaced(UUID.randomUUID(), "m", "u", status, Instant.now(), OrderChannel.API);
		status.add(OrderStatus.CANCELLED);
		assertThat(event.status()).containsExactly(OrderStatus.PENDING);
	}

	@Test
	void refusesTooManyStatusEntries() {
		OrderStatus[] many = new OrderStatus[OrderConstraints.MAX_STATUS_ENTRIES + 1];
		Arrays.fill(many, OrderStatus.PENDING);
		assertThatExceptionOfType(InvalidOrderException.class).isThrownBy(() -> new NewOrder("m", "u", List.of(many)))
			.satisfies((ex) -> assertThat(ex.getField()).isEqualTo("status"));
	}

	private static String fieldOf(DatabindException ex) {
		Throwable cause = ex.getCause();
		if (cause instanceof InvalidOrderException invalid) {
			return invalid.getField();
		}
		return ex.getPath()
			.stream()
			.map(DatabindException.Reference::getPropertyName)
			.filter(Objects::nonNull)
			.reduce((first, last) -> last)
			.orElse(null);
	}

}
