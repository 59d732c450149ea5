package dev.orderpipeline.source.http;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;

import dev.orderpipeline.contracts.NewOrder;
import dev.orderpipeline.contracts.OrderChannel;
import dev.orderpipeline.contracts.OrderPlaced;
import dev.orderpipeline.contracts.OrderStatus;
import dev.orderpipeline.security.OrderSecurityAutoConfiguration;
import dev.orderpipeline.source.OrderSourceConfiguration;
import dev.orderpipeline.source.intake.OrderIntake;
import dev.orderpipeline.source.intake.OrderMetrics;
import dev.orderpipeline.source.intake.SenderRateLimiter;
import dev.orderpipeline.source.publishing.OrderPublisher;
import dev.orderpipeline.source.publishing.PublishFailedException;
import dev.orderpipeline.testsupport.TestTokens;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.mockito.ArgumentCaptor;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.webflux.test.autoconfigure.WebFluxTest;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.BDDMockito.given;
import static org.mockito.Mockito.atLeastOnce;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;

/**
 * The stream of orders on {@code POST /orders} with {@code application/x-ndjson}, with
 * the broker's confirms stood in for: each line's answer, a failing line among good ones,
 * the limits and the rate limit counted per order.
 */
@WebFluxTest(controllers = { OrderController.class, OrderStreamController.class },
		properties = { "orders.source.rate-limit.burst=3", "orders.source.rate-limit.orders-per-second=1",
				"orders.source.rate-limit.bulk-burst=6", "orders.source.rate-limit.bulk-orders-per-second=1",
				"orders.source.stream.max-lines=8", "orders.source.stream.max-in-flight=2",
				"orders.source.migration-enabled=true" })
@Import({ OrderRequestReader.class, JsonBodies.class, OrderProblemHandler.class, OrderSourceConfiguration.class,
		OrderMetrics.class, SimpleMeterRegistry.class, SourceSecurityConfiguration.class, SenderRateLimiter.class,
		OrderIntake.class })
@ImportAutoConfiguration(OrderSecurityAutoConfiguration.class)
@ExtendWith(OutputCaptureExtension.class)
class OrderStreamControllerTests {

	private static final AtomicInteger SENDERS = new AtomicInteger();

	@Autowired
	private WebTestClient server;

	@Autowired
	private JsonMapper json;

	@MockitoBean
	private OrderPublisher publisher;

	/** A sender of each test's own: the rate limit's buckets outlive each test. */
	private String sender;

	@DynamicPropertySource
	static void tokens(DynamicPropertyRegistry registry) {
		TestTokens.shared().register(registry);
	}

	@BeforeEach
	void brokerConfirms() {
		this.sender = "stream-" + SENDERS.incrementAndGet();
		given(this.publisher.publish(any(OrderPlaced.class))).willReturn(Mono.empty());
	}

	@Test
	void answersEveryLineWithItsNumberAndOneBadLineFailsNoOther() {
		// Line by line: 1 good; 2 not JSON; 3 blank, skipped; 4 another sender's; 5 an
		// unknown field; 6 over the line limit; 7 not an object; 8 good, no line end.
		String line2 = "{\"medicationId\": \"m-2\", \"sender_userId\": \"" + this.sender + "\"";
		String line4 = "{\"medicationId\": \"m-4\", \"sender_userId\": \"someone-else\"}";
		String line5 = "{\"medicationId\": \"m-5\", \"sender_userId\": \"" + this.sender + "\", \"pad\": 1}";
		String line6 = "{\"medicationId\": \"m-6\", \"sender_userId\": \"" + this.sender + "\", \"x\": \""
				+ "y".repeat(17 * 1024) + "\"}";
		String body = order("m-1") + "\n" + line2 + "\n\n" + line4 + "\n" + line5 + "\r\n" + line6 + "\n[]\n"
				+ order("m-8");
		List<JsonNode> results = stream(as("orders:write"), body);
		Map<Integer, JsonNode> byLine = byLine(results);
		assertThat(byLine.keySet()).containsExactlyInAnyOrder(1, 2, 4, 5, 6, 7, 8);
		assertAccepted(byLine.get(1));
		assertAccepted(byLine.get(8));
		assertRejected(byLine.get(2), 400, "invalid-order", "body");
		assertRejected(byLine.get(4), 403, "sender-mismatch", "sender_userId");
		assertRejected(byLine.get(5), 400, "invalid-order", "pad");
		assertRejected(byLine.get(6), 413, "body-too-large", "body");
		assertRejected(byLine.get(7), 400, "invalid-order", "body");
		assertThat(summary(results)).containsEntry("orders", 7)
			.containsEntry("accepted", 2)
			.containsEntry("rejected", 5);
		ArgumentCaptor<OrderPlaced> published = ArgumentCaptor.forClass(OrderPlaced.class);
		verify(this.publisher, times(2)).publish(published.capture());
		assertThat(published.getAllValues()).extracting(OrderPlaced::medicationId)
			.containsExactlyInAnyOrder("m-1", "m-8");
		assertThat(published.getAllValues()).extracting(OrderPlaced::channel).containsOnly(OrderChannel.API);
		assertThat(published.getAllValues()).extracting(OrderPlaced::orderId)
			.map(String::valueOf)
			.containsExactlyInAnyOrder(byLine.get(1).get("orderId").stringValue(),
					byLine.get(8).get("orderId").stringValue());
		assertThat(byLine.get(1).get("location").stringValue())
			.isEqualTo("http://localhost:8001/orders/" + byLine.get(1).get("orderId").stringValue());
	}

	@Test
	void aLineTheBrokerDidNotConfirmIsAnswered503WithItsOrderIdAndTheOthersAreAccepted() {
		given(this.publisher.publish(any(OrderPlaced.class))).willAnswer((invocation) -> {
			OrderPlaced order = invocation.getArgument(0);
			return "m-2".equals(order.medicationId()) ? Mono
				.error(new PublishFailedException(order.orderId(), PublishFailedException.Reason.CONFIRM_TIMEOUT,
						"The broker did not confirm the order in time", null))
					: Mono.empty();
		});
		Map<Integer, JsonNode> byLine = byLine(
				stream(as("orders:write"), order("m-1") + "\n" + order("m-2") + "\n" + order("m-3") + "\n"));
		assertAccepted(byLine.get(1));
		assertAccepted(byLine.get(3));
		JsonNode failed = byLine.get(2);
		assertThat(failed.get("result").stringValue()).isEqualTo("rejected");
		assertThat(failed.at("/problem/status").intValue()).isEqualTo(503);
		assertThat(failed.at("/problem/reason").stringValue()).isEqualTo("CONFIRM_TIMEOUT");
		assertThat(failed.at("/problem/orderId").stringValue()).isNotEmpty();
		assertThat(failed.at("/problem/retryAfter").intValue()).isEqualTo(5);
	}

	@Test
	void eachLineHasItsOwnIdempotencyKey() {
		Map<Integer, JsonNode> byLine = byLine(stream(as("orders:write"), keyed("m-1", "k-1") + "\n"
				+ keyed("m-1", "k-1") + "\n" + keyed("m-1", "k-2") + "\n" + keyed("m-1", "") + "\n"));
		assertThat(byLine.get(1).get("orderId")).isEqualTo(byLine.get(2).get("orderId"));
		assertThat(byLine.get(3).get("orderId")).isNotEqualTo(byLine.get(1).get("orderId"));
		assertRejected(byLine.get(4), 400, "invalid-order", "idempotencyKey");
	}

	@Test
	void refusesAnIdempotencyKeyHeaderForTheWholeStream() {
		as("orders:write").post()
			.uri("/orders")
			.contentType(MediaType.APPLICATION_NDJSON)
			.header("Idempotency-Key", "k")
			.bodyValue(order("m-1") + "\n")
			.exchange()
			.expectStatus()
			.isBadRequest()
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.errors[0].field")
			.isEqualTo("Idempotency-Key");
		verify(this.publisher, never()).publish(any(OrderPlaced.class));
	}

	@Test
	void answersTheFirstLinePastTheMostLinesAndNoneAfterIt() {
		StringBuilder body = new StringBuilder();
		for (int i = 1; i <= 12; i++) {
			body.append(keyed("m-" + i, "k-" + i)).append('\n');
		}
		List<JsonNode> results = stream(as("orders:write", "orders:bulk"), body.toString());
		Map<Integer, JsonNode> byLine = byLine(results);
		assertThat(byLine.keySet()).containsExactlyInAnyOrder(1, 2, 3, 4, 5, 6, 7, 8, 9);
		assertRejected(byLine.get(9), 413, "too-many-lines", "body");
		// The bulk allowance (6) takes six of the eight lines within the limit.
		verify(this.publisher, times(6)).publish(any(OrderPlaced.class));
		assertThat(byLine.values()).filteredOn((result) -> result.at("/problem/status").asInt() == 429).hasSize(2);
		assertThat(summary(results)).containsEntry("orders", 9).containsEntry("accepted", 6);
	}

	@Test
	void blankLinesCountTowardsTheMostLines() {
		String body = "\n".repeat(8) + order("m-9") + "\n";
		Map<Integer, JsonNode> byLine = byLine(stream(as("orders:write"), body));
		assertThat(byLine.keySet()).containsExactly(9);
		assertRejected(byLine.get(9), 413, "too-many-lines", "body");
		verify(this.publisher, never()).publish(any(OrderPlaced.class));
	}

	@Test
	void theRateLimitCountsOrdersAndTheBulkScopeGivesAStreamTheLargerAllowance() {
		String body = String.join("\n", Collections.nCopies(8, order("m")));
		Map<Integer, JsonNode> plain = byLine(stream(as("orders:write"), body));
		assertThat(plain.values()).filteredOn((result) -> "accepted".equals(result.get("result").stringValue()))
			.hasSize(3);
		assertThat(plain.values()).filteredOn((result) -> result.at("/problem/status").asInt() == 429)
			.hasSize(5)
			.allSatisfy((result) -> assertThat(result.at("/problem/retryAfter").intValue()).isPositive());
		Map<Integer, JsonNode> bulk = byLine(stream(as("orders:write", "orders:bulk"), body));
		assertThat(bulk.values()).filteredOn((result) -> "accepted".equals(result.get("result").stringValue()))
			.hasSize(6);
		assertThat(bulk.values()).filteredOn((result) -> result.at("/problem/status").asInt() == 429).hasSize(2);
	}

	/**
	 * Under the scope orders:migrate a line names any sender, any legacy status list, the
	 * legacy row's id and times: the order's id follows from the row's id, the times are
	 * kept, the channel says migrated, and the stream is logged with its caller and
	 * counts.
	 */
	@Test
	void aMigrationNamesAnySenderAndKeepsTheRowsIdAndTimesAndIsLogged(CapturedOutput output) {
		String body = migrated("17", "user-a",
				"\"createdAt\": \"2024-03-18T09:41:07.512Z\", "
						+ "\"updatedAt\": \"2024-03-19T10:41:07.512+01:00\", \"status\": [\"PENDING\", \"APPROVED\"]")
				+ "\n" + migrated("18", "user-b", "\"createdAt\": \"2024-03-19T08:00:00Z\"") + "\n";
		List<JsonNode> results = stream(as("orders:write", "orders:migrate"), body);
		Map<Integer, JsonNode> byLine = byLine(results);
		assertThat(byLine.get(1).get("orderId").stringValue()).isEqualTo(NewOrder.idForLegacyRow("17").toString());
		assertThat(byLine.get(2).get("orderId").stringValue()).isEqualTo(NewOrder.idForLegacyRow("18").toString());
		ArgumentCaptor<OrderPlaced> published = ArgumentCaptor.forClass(OrderPlaced.class);
		verify(this.publisher, times(2)).publish(published.capture());
		OrderPlaced first = published.getAllValues()
			.stream()
			.filter((order) -> order.senderUserId().equals("user-a"))
			.findFirst()
			.orElseThrow();
		assertThat(first.channel()).isEqualTo(OrderChannel.LEGACY_MIGRATION);
		assertThat(first.status()).containsExactly(OrderStatus.PENDING, OrderStatus.APPROVED);
		assertThat(first.createdAt()).isEqualTo(Instant.parse("2024-03-18T09:41:07.512Z"));
		assertThat(first.updatedAt()).isEqualTo(Instant.parse("2024-03-19T09:41:07.512Z"));
		assertThat(published.getAllValues()).filteredOn((order) -> order.senderUserId().equals("user-b"))
			.singleElement()
			.satisfies((order) -> assertThat(order.updatedAt()).isEqualTo(order.createdAt()));
		// The same row again names the same order.
		assertThat(byLine(stream(as("orders:write", "orders:migrate"), body)).get(1).get("orderId"))
			.isEqualTo(byLine.get(1).get("orderId"));
		assertThat(output).contains("Migration stream opened by " + this.sender)
			.contains("Migration stream by " + this.sender + " ended after ")
			.contains("2 orders, 2 accepted, 0 rejected");
	}

	@Test
	void aMigrationLineNeedsTheRowsIdAndItsCreationTimeWithAnOffset() {
		String body = migrated("1", "user-a", "\"createdAt\": \"2024-03-18T09:41:07\"") + "\n"
				+ "{\"medicationId\": \"m\", \"sender_userId\": \"user-a\", \"createdAt\": \"2024-03-18T09:41:07Z\"}\n"
				+ migrated("3", "user-a", "\"updatedAt\": \"2024-03-18T09:41:07Z\"") + "\n"
				+ migrated("4", "user-a", "\"createdAt\": \"2024-03-18T09:41:07Z\", \"stamp\": 1") + "\n";
		Map<Integer, JsonNode> byLine = byLine(stream(as("orders:write", "orders:migrate"), body));
		assertRejected(byLine.get(1), 400, "invalid-order", "createdAt");
		assertRejected(byLine.get(2), 400, "invalid-order", "idempotencyKey");
		assertRejected(byLine.get(3), 400, "invalid-order", "createdAt");
		assertRejected(byLine.get(4), 400, "invalid-order", "stamp");
		verify(this.publisher, never()).publish(any(OrderPlaced.class));
	}

	@Test
	void aMigrationsTimesFromAnyOtherTokenAreRefusedAndLogged(CapturedOutput output) {
		String body = migrated("1", this.sender, "\"createdAt\": \"2024-03-18T09:41:07Z\"") + "\n"
				+ migrated("2", this.sender, "\"createdAt\": \"2024-03-18T09:41:07Z\", \"updatedAt\": 1") + "\n"
				+ order("m-3") + "\n";
		Map<Integer, JsonNode> byLine = byLine(stream(as("orders:write", "orders:bulk"), body));
		assertRejected(byLine.get(1), 403, "migration-not-allowed", "createdAt");
		assertThat(byLine.get(2).at("/problem/errors").findValuesAsString("field")).containsExactly("createdAt",
				"updatedAt");
		assertAccepted(byLine.get(3));
		verify(this.publisher, times(1)).publish(any(OrderPlaced.class));
		assertThat(output).contains("Stream by " + this.sender + " gave a migration's times on 2 lines without the "
				+ "scope orders:migrate: refused");
	}

	/**
	 * Where migration is off, the scope migrates nothing: the stream is refused whole.
	 */
	@Nested
	@TestPropertySource(properties = "orders.source.migration-enabled=false")
	class MigrationOff {

		@Test
		void aMigrationStreamIsRefusedAndLogged(CapturedOutput output) {
			String body = migrated("1", "user-a", "\"createdAt\": \"2024-03-18T09:41:07Z\"") + "\n";
			as("orders:write", "orders:migrate").post()
				.uri("/orders")
				.contentType(MediaType.APPLICATION_NDJSON)
				.bodyValue(body)
				.exchange()
				.expectStatus()
				.isForbidden()
				.expectHeader()
				.contentType(MediaType.APPLICATION_PROBLEM_JSON)
				.expectBody()
				.jsonPath("$.type")
				.isEqualTo("https://orderpipeline.dev/problems/migration-off");
			verify(OrderStreamControllerTests.this.publisher, never()).publish(any(OrderPlaced.class));
			assertThat(output).contains(
					"Migration stream by " + OrderStreamControllerTests.this.sender + " refused: migration is off");
		}

		@Test
		void ordinaryStreamsAreServed() {
			assertAccepted(stream(as("orders:write"), order("m-1")).get(0));
		}

	}

	@Test
	void aMigrationCountsAgainstItsCallersBulkAllowanceNotItsSenders() {
		StringBuilder body = new StringBuilder();
		for (int i = 1; i <= 8; i++) {
			body.append(migrated(String.valueOf(i), "sender-" + i, "\"createdAt\": \"2024-03-18T09:41:07Z\""))
				.append('\n');
		}
		Map<Integer, JsonNode> byLine = byLine(stream(as("orders:write", "orders:migrate"), body.toString()));
		assertThat(byLine.values()).filteredOn((result) -> "accepted".equals(result.get("result").stringValue()))
			.hasSize(6);
		assertThat(byLine.values()).filteredOn((result) -> result.at("/problem/status").asInt() == 429).hasSize(2);
	}

	@Test
	void holdsAtMostTheStreamsInFlightLimitWaitingForTheBroker() {
		Queue<Sinks.Empty<Void>> waiting = new ConcurrentLinkedQueue<>();
		AtomicInteger inFlight = new AtomicInteger();
		AtomicInteger mostInFlight = new AtomicInteger();
		given(this.publisher.publish(any(OrderPlaced.class))).willAnswer((invocation) -> {
			Sinks.Empty<Void> confirm = Sinks.empty();
			return confirm.asMono().doOnSubscribe((subscription) -> {
				mostInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
				waiting.add(confirm);
			});
		});
		StringBuilder body = new StringBuilder();
		for (int i = 1; i <= 6; i++) {
			body.append(order("m-" + i)).append('\n');
		}
		List<JsonNode> results = new ArrayList<>();
		Thread confirms = new Thread(() -> {
			for (int i = 0; i < 6; i++) {
				// As many waiting as the limit lets in (the last one
				// alone), before one is confirmed.
				int expected = Math.min(2, 6 - i);
				await().until(() -> waiting.size() >= expected);
				// The order leaves the broker's hands before its confirm is answered.
				inFlight.decrementAndGet();
				waiting.poll().tryEmitEmpty();
			}
		});
		confirms.start();
		results.addAll(stream(as("orders:write", "orders:bulk"), body.toString()));
		assertThat(byLine(results)).hasSize(6);
		assertThat(mostInFlight).hasValue(2);
	}

	private List<JsonNode> stream(WebTestClient client, String body) {
		List<String> lines = client.post()
			.uri("/orders")
			.contentType(MediaType.APPLICATION_NDJSON)
			.bodyValue(body)
			.exchange()
			.expectStatus()
			.isOk()
			.expectHeader()
			.contentTypeCompatibleWith(MediaType.APPLICATION_NDJSON)
			.returnResult(String.class)
			.getResponseBody()
			.collectList()
			.block();
		return String.join("\n", lines).lines().filter((line) -> !line.isBlank()).map(this.json::readTree).toList();
	}

	private static Map<Integer, JsonNode> byLine(List<JsonNode> results) {
		return results.stream()
			.filter((result) -> result.has("line"))
			.collect(Collectors.toMap((result) -> result.get("line").intValue(), Function.identity()));
	}

	private static Map<String, Integer> summary(List<JsonNode> results) {
		JsonNode last = results.get(results.size() - 1);
		assertThat(last.get("result").stringValue()).isEqualTo("done");
		return Map.of("orders", last.get("orders").intValue(), "accepted", last.get("accepted").intValue(), "rejected",
				last.get("rejected").intValue());
	}

	private static void assertAccepted(JsonNode result) {
		assertThat(result.get("result").stringValue()).isEqualTo("accepted");
		assertThat(result.get("orderId").stringValue()).hasSize(36);
	}

	private static void assertRejected(JsonNode result, int status, String type, String field) {
		assertThat(result.get("result").stringValue()).isEqualTo("rejected");
		assertThat(result.at("/problem/status").intValue()).isEqualTo(status);
		assertThat(result.at("/problem/type").stringValue()).endsWith("/" + type);
		assertThat(result.at("/problem/errors/0/field").stringValue()).isEqualTo(field);
	}

	private String order(String medication) {
		return "{\"medicationId\": \"" + medication + "\", \"sender_userId\": \"" + this.sender + "\"}";
	}

	private String keyed(String medication, String key) {
		return "{\"medicationId\": \"" + medication + "\", \"sender_userId\": \"" + this.sender
				+ "\", \"idempotencyKey\": \"" + key + "\"}";
	}

	private static String migrated(String rowId, String sender, String more) {
		return "{\"medicationId\": \"m-" + rowId + "\", \"sender_userId\": \"" + sender + "\", \"idempotencyKey\": \""
				+ rowId + "\", " + more + "}";
	}

	private WebTestClient as(String... scopes) {
		String token = TestTokens.shared().token(this.sender, scopes);
		return this.server.mutate().defaultHeaders((headers) -> headers.setBearerAuth(token)).build();
	}

}
