package dev.orderpipeline.contracts;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;
import tools.jackson.databind.DatabindException;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.catchThrowable;

class StatusChangeRequestedTests {

	private static final JsonMapper json = JsonMapper.builder().build();

	private static final UUID CHANGE = UUID.fromString("3f2b8c1e-6a4d-4e7f-9b0c-1d2e3f4a5b6c");

	private static final UUID ORDER = UUID.fromString("0b6f1c55-2d5e-4f9c-9a8e-3f1d2c4b5a69");

	private static final Instant AT = Instant.parse("2026-11-24T07:20:05.481293Z");

	static final List<String> statusChangeSamples = GoldenSamples.STATUS_CHANGE_REQUESTED;

	static final List<GoldenSamples.Broken> brokenSamples = GoldenSamples.BROKEN_STATUS_CHANGE_REQUESTED;

	@ParameterizedTest
	@FieldSource("statusChangeSamples")
	void roundTripsEveryGolden(String sample) {
		String text = GoldenSamples.read(sample);
		StatusChangeRequested change = json.readValue(text, StatusChangeRequested.class);
		assertThat(json.readTree(json.writeValueAsString(change))).isEqualTo(json.readTree(text));
	}

	@ParameterizedTest
	@FieldSource("brokenSamples")
	void refusesEveryBrokenSampleNamingItsField(GoldenSamples.Broken broken) {
		Throwable failure = catchThrowable(
				() -> json.readValue(GoldenSamples.read(broken), StatusChangeRequested.class));
		assertThat(failure).isInstanceOf(DatabindException.class);
		assertThat(fieldOf((DatabindException) failure)).isEqualTo(broken.field());
	}

	@Test
	void readsTheGoldensFields() {
		StatusChangeRequested change = json.readValue(GoldenSamples.read("status-change-approved.json"),
				StatusChangeRequested.class);
		assertThat(change)
			.isEqualTo(new StatusChangeRequested(CHANGE, ORDER, OrderStatus.APPROVED, 1, "pharmacist-0042",
					List.of(OrderLifecycle.PHARMACIST), "Prescription checked against the patient's record.", AT));
	}

	@Test
	void anAbsentReasonIsNone() {
		ObjectNode body = (ObjectNode) json.readTree(GoldenSamples.read("status-change-approved.json"));
		body.remove("reason");
		StatusChangeRequested change = json.readValue(json.writeValueAsString(body), StatusChangeRequested.class);
		assertThat(change.reason()).isNull();
	}

	@Test
	void aSenderCancellingItsOwnOrderHasNoRoles() {
		StatusChangeRequested change = json.readValue(GoldenSamples.read("status-change-cancelled-by-sender.json"),
				StatusChangeRequested.class);
		assertThat(change.roles()).isEmpty();
		assertThat(change.pharmacist()).isFalse();
		assertThat(change.admin()).isFalse();
		assertThat(change.reason()).isNull();
	}

	@Test
	void refusesPending() {
		assertRefused("status", () -> request(OrderStatus.PENDING, 1, List.of(OrderLifecycle.ADMIN), null));
	}

	@Test
	void refusesVersionZero() {
		assertRefused("baseVersion", () -> request(OrderStatus.APPROVED, 0, List.of(OrderLifecycle.PHARMACIST), null));
	}

	@Test
	void refusesAnUnknownRole() {
		assertRefused("roles", () -> request(OrderStatus.APPROVED, 1, List.of("nurse"), null));
	}

	@Test
	void refusesAReasonLongerThan500Characters() {
		String reason = "r".repeat(StatusChangeRequested.MAX_REASON_LENGTH + 1);
		assertRefused("reason", () -> request(OrderStatus.REJECTED, 1, List.of(OrderLifecycle.PHARMACIST), reason));
	}

	@Test
	void acceptsAReasonOf500Characters() {
		String reason = "r".repeat(StatusChangeRequested.MAX_REASON_LENGTH);
		assertThat(request(OrderStatus.REJECTED, 1, List.of(OrderLifecycle.PHARMACIST), reason).reason())
			.hasSize(StatusChangeRequested.MAX_REASON_LENGTH);
	}

	@Test
	void acceptsLineBreaksInTheReason() {
		String reason = "Out of stock.\nOffered a generic instead.";
		assertThat(request(OrderStatus.REJECTED, 1, List.of(OrderLifecycle.PHARMACIST), reason).reason())
			.isEqualTo(reason);
	}

	@Test
	void refusesARightToLeftOverrideInTheReason() {
		assertRefused("reason",
				() -> request(OrderStatus.REJECTED, 1, List.of(OrderLifecycle.PHARMACIST), "Dose \u202e003 gm"));
	}

	@Test
	void refusesOtherControlCharactersInTheReason() {
		assertRefused("reason",
				() -> request(OrderStatus.REJECTED, 1, List.of(OrderLifecycle.PHARMACIST), "Line one\r\nline two"));
	}

	@Test
	void refusesAnActorThatIsNoIdentifier() {
		assertRefused("actor", () -> new StatusChangeRequested(CHANGE, ORDER, OrderStatus.APPROVED, 1, "  ",
				List.of(OrderLifecycle.PHARMACIST), null, AT));
	}

	@Test
	void pharmacistAndAdminReadTheRoles() {
		StatusChangeRequested pharmacist = request(OrderStatus.APPROVED, 1, List.of(OrderLifecycle.PHARMACIST), null);
		assertThat(pharmacist.pharmacist()).isTrue();
		assertThat(pharmacist.admin()).isFalse();
		StatusChangeRequested admin = request(OrderStatus.DELIVERED, 3, List.of(OrderLifecycle.ADMIN), null);
		assertThat(admin.pharmacist()).isFalse();
		assertThat(admin.admin()).isTrue();
		StatusChangeRequested both = request(OrderStatus.CANCELLED, 2,
				List.of(OrderLifecycle.PHARMACIST, OrderLifecycle.ADMIN), null);
		assertThat(both.pharmacist()).isTrue();
		assertThat(both.admin()).isTrue();
	}

	@Test
	void rolesAreCopiedSoTheRequestCannotChangeAfterwards() {
		List<String> roles = new ArrayList<>(List.of(OrderLifecycle.PHARMACIST));
		StatusChangeRequested change = request(OrderStatus.APPROVED, 1, roles, null);
		roles.add(OrderLifecycle.ADMIN);
		assertThat(change.roles()).containsExactly(OrderLifecycle.PHARMACIST);
		assertThat(change.admin()).isFalse();
	}

	private static StatusChangeRequested request(OrderStatus status, int baseVersion, List<String> roles,
			String reason) {
		return new StatusChangeRequested(CHANGE, ORDER, status, baseVersion, "pharmacist-0042", roles, reason, AT);
	}

	private static void assertRefused(String field, ThrowingCallable construction) {
		assertThatExceptionOfType(InvalidOrderException.class).isThrownBy(construction)
			.satisfies((ex) -> assertThat(ex.getField()).isEqualTo(field));
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
