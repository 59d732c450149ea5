package dev.orderpipeline.sink.deadletters;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.rabbitmq.client.LongString;
import com.rabbitmq.client.impl.LongStringHelper;
import dev.orderpipeline.contracts.NewOrder;
import dev.orderpipeline.contracts.OrderSignature;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the commands read from a dead letter's properties.
 */
class DeadLetterTests {

	@Test
	void readsTheIdCauseKindReplaysAndTimesOfADeadLetter() {
		Map<String, Object> headers = new HashMap<>();
		headers.put("x-exception-message", LongStringHelper.asLongString("SQLState 22021"));
		headers.put("x-failure-kind", LongStringHelper.asLongString("refused"));
		headers.put("x-replay-count", 2L);
		headers.put("timestamp", Instant.parse("2026-11-20T09:30:15Z").toEpochMilli());
		headers.put(OrderSignature.HEADER, LongStringHelper.asLongString("test:c2lnbmF0dXJl"));
		DeadLetter deadLetter = DeadLetter.of(4, "order-1", Instant.parse("2026-11-20T09:30:00Z"), headers);
		assertThat(deadLetter).isEqualTo(new DeadLetter(4, "order-1", "order-1", Instant.parse("2026-11-20T09:30:15Z"),
				Instant.parse("2026-11-20T09:30:00Z"), "refused", "SQLState 22021", 2));
	}

	@Test
	void aLegacyMessageIsKnownByTheIdItsOrderWouldHave() {
		DeadLetter deadLetter = DeadLetter.of(1, "pika-7", null, Map.of());
		assertThat(deadLetter.orderId()).isEqualTo(NewOrder.idForMessage("pika-7").toString());
	}

	@Test
	void prefersTheTimeOfTheBrokersOwnDeadLettering() {
		Map<String, Object> death = Map.of("time", Date.from(Instant.parse("2026-11-21T00:00:00Z")), "reason",
				LongStringHelper.asLongString("rejected"));
		DeadLetter deadLetter = DeadLetter.of(1, null, null, Map.of("x-death", List.of(death), "timestamp", 1L));
		assertThat(deadLetter.deadLetteredAt()).isEqualTo(Instant.parse("2026-11-21T00:00:00Z"));
		assertThat(deadLetter.orderId()).isNull();
		assertThat(deadLetter.cause()).isNull();
	}

	@Test
	void countsReplaysFromNumbersAndTextAndTakesAnythingElseForNone() {
		assertThat(DeadLetter.replayCount(null)).isZero();
		assertThat(DeadLetter.replayCount(Map.of())).isZero();
		assertThat(DeadLetter.replayCount(Map.of("x-replay-count", 3))).isEqualTo(3);
		assertThat(DeadLetter.replayCount(Map.of("x-replay-count", (byte) 1))).isEqualTo(1);
		LongString text = LongStringHelper.asLongString(" 2 ");
		assertThat(DeadLetter.replayCount(Map.of("x-replay-count", text))).isEqualTo(2);
		assertThat(DeadLetter.replayCount(Map.of("x-replay-count", -4))).isZero();
		assertThat(DeadLetter.replayCount(Map.of("x-replay-count", "many"))).isZero();
	}

	@Test
	void aReplayDropsExactlyTheFailureHeadersTheAsyncApiDocumentGivesADeadLetter() throws IOException {
		try (InputStream in = getClass().getClassLoader()
			.getResourceAsStream("dev/orderpipeline/contracts/asyncapi.yaml")) {
			assertThat(in).isNotNull();
			Map<String, Map<String, Map<String, Map<String, Map<String, Object>>>>> document = new Yaml().load(in);
			Map<String, Object> headers = document.get("components").get("messages").get("DeadLetter").get("headers");
			List<String> failureHeaders = new ArrayList<>(DeadLetter.FAILURE_HEADERS);
			failureHeaders.add(DeadLetter.DEAD_LETTERED_AT_HEADER);
			List<?> required = (List<?>) headers.get("required");
			assertThat(required.stream().map(String::valueOf).toList())
				.containsExactlyInAnyOrderElementsOf(failureHeaders);
			Map<?, ?> properties = (Map<?, ?>) headers.get("properties");
			assertThat(properties.containsKey(DeadLetter.REPLAY_COUNT_HEADER)).isTrue();
		}
	}

}
