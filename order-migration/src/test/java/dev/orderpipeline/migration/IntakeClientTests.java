package dev.orderpipeline.migration;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The client of order-source's stream, against a server answering as order-source does.
 */
class IntakeClientTests {

	private static final JsonMapper json = JsonMapper.builder().build();

	private static final List<LegacyRow> ROWS = List.of(row("a"), row("b"), row("c"));

	private final AtomicReference<String> sent = new AtomicReference<>();

	private final AtomicReference<String> authorization = new AtomicReference<>();

	private HttpServer server;

	private Answer answer;

	@BeforeEach
	void start() throws IOException {
		this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
		this.server.createContext("/orders", this::handle);
		this.server.start();
	}

	@AfterEach
	void stop() {
		this.server.stop(0);
	}

	@Test
	void sendsEachRowAsALineAndGivesEachOutcomeInTheRowsOrder() {
		this.answer = new Answer(200, null,
				"""
						{"line":3,"result":"accepted","orderId":"x"}
						{"line":1,"result":"rejected","problem":{"status":429,"type":"https://orderpipeline.dev/problems/rate-limited","retryAfter":7}}
						{"line":2,"result":"rejected","problem":{"status":400,"type":"https://orderpipeline.dev/problems/invalid-order"}}
						{"result":"done","orders":3,"accepted":1,"rejected":2}
						""");
		List<IntakeClient.Outcome> outcomes = client().send(ROWS);
		assertThat(outcomes).extracting(IntakeClient.Outcome::kind)
			.containsExactly(IntakeClient.Kind.RETRY, IntakeClient.Kind.REJECTED, IntakeClient.Kind.ACCEPTED);
		assertThat(outcomes.get(0).retryAfter()).isEqualTo(Duration.ofSeconds(7));
		assertThat(outcomes.get(1).problem().path("status").asInt()).isEqualTo(400);
		assertThat(this.authorization.get()).isEqualTo("Bearer the-token");
		List<JsonNode> lines = this.sent.get().lines().map(json::readTree).toList();
		assertThat(lines).hasSize(3);
		assertThat(lines.get(0).get("idempotencyKey").asString()).isEqualTo("a");
		assertThat(lines.get(0).get("sender_userId").asString()).isEqualTo("user-a");
		assertThat(lines.get(0).get("createdAt").asString()).isEqualTo("2024-01-01T00:00:00.500Z");
		assertThat(lines.get(0).has("updatedAt")).isFalse();
	}

	@Test
	void anAnswerThatEndsBeforeEveryLineIsUnavailable() {
		this.answer = new Answer(200, null, """
				{"line":1,"result":"accepted","orderId":"x"}
				{"line":2,"result":"accepted","orderId":"y"}
				""");
		assertThatExceptionOfType(IntakeUnavailableException.class).isThrownBy(() -> client().send(ROWS));
	}

	@Test
	void anOverloadedOrUnreachableSourceIsUnavailableWithItsRetryAfter() {
		this.answer = new Answer(503, "4", "{\"status\":503}");
		assertThatExceptionOfType(IntakeUnavailableException.class).isThrownBy(() -> client().send(ROWS))
			.satisfies((ex) -> assertThat(ex.getRetryAfter()).isEqualTo(Duration.ofSeconds(4)));
		this.server.stop(0);
		assertThatExceptionOfType(IntakeUnavailableException.class).isThrownBy(() -> client().send(ROWS));
	}

	@Test
	void aTokenRefusedOrWithoutTheMigrationScopeStopsTheMigration() {
		this.answer = new Answer(401, null, "{\"status\":401}");
		assertThatExceptionOfType(MigrationRefusedException.class).isThrownBy(() -> client().send(ROWS))
			.withMessageContaining("401");
		this.answer = new Answer(200, null,
				"""
						{"line":1,"result":"rejected","problem":{"status":403,"type":"https://orderpipeline.dev/problems/migration-not-allowed"}}
						{"line":2,"result":"accepted","orderId":"y"}
						{"line":3,"result":"accepted","orderId":"z"}
						{"result":"done","orders":3,"accepted":2,"rejected":1}
						""");
		assertThatExceptionOfType(MigrationRefusedException.class).isThrownBy(() -> client().send(ROWS))
			.withMessageContaining("migration-not-allowed");
	}

	@Test
	void aBatchLargerThanAStreamTakesStopsTheMigration() {
		this.answer = new Answer(200, null,
				"""
						{"line":1,"result":"accepted","orderId":"x"}
						{"line":2,"result":"accepted","orderId":"y"}
						{"line":3,"result":"rejected","problem":{"status":413,"type":"https://orderpipeline.dev/problems/too-many-lines"}}
						{"result":"done","orders":3,"accepted":2,"rejected":1}
						""");
		assertThatExceptionOfType(MigrationRefusedException.class).isThrownBy(() -> client().send(ROWS))
			.withMessageContaining("too-many-lines");
	}

	private IntakeClient client() {
		return new IntakeClient(
				RestClient.builder().baseUrl("http://127.0.0.1:" + this.server.getAddress().getPort()).build(), json,
				() -> "the-token");
	}

	private void handle(HttpExchange exchange) throws IOException {
		this.sent.set(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
		this.authorization.set(exchange.getRequestHeaders().getFirst("Authorization"));
		byte[] body = this.answer.body().getBytes(StandardCharsets.UTF_8);
		exchange.getResponseHeaders()
			.set("Content-Type", (this.answer.status() == 200) ? "application/x-ndjson" : "application/problem+json");
		if (this.answer.retryAfter() != null) {
			exchange.getResponseHeaders().set("Retry-After", this.answer.retryAfter());
		}
		exchange.sendResponseHeaders(this.answer.status(), body.length);
		try (OutputStream out = exchange.getResponseBody()) {
			out.write(body);
		}
	}

	private static LegacyRow row(String id) {
		return new LegacyRow(id, "med-" + id, "user-" + id, List.of("PENDING"),
				Instant.parse("2024-01-01T00:00:00.500Z"), null);
	}

	private record Answer(int status, String retryAfter, String body) {

	}

}
