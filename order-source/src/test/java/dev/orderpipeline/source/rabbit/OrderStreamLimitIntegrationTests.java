package dev.orderpipeline.source.rabbit;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;

import dev.orderpipeline.testsupport.TestTokens;
import dev.orderpipeline.testsupport.servers.TestRabbitMq;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A client that sends a stream longer than the most lines and reads only once it has sent
 * everything still gets its whole answer: the service reads the rest of the body without
 * answering it, instead of closing a connection its client is still writing to.
 */
@DirtiesContext
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = { "management.server.port=0",
		"orders.source.rate-limit.enabled=false", "orders.source.stream.max-lines=100" })
class OrderStreamLimitIntegrationTests {

	private static final String QUEUE = "orders_stream_limit_it_" + UUID.randomUUID().toString().substring(0, 8);

	private static final String SENDER = "stream-limit-sender";

	private static RabbitAdmin admin;

	@LocalServerPort
	private int port;

	@Autowired
	private JsonMapper json;

	@DynamicPropertySource
	static void queue(DynamicPropertyRegistry registry) {
		TestTokens.shared().register(registry);
		TestRabbitMq.shared().register(registry);
		registry.add("orders.queue", () -> QUEUE);
	}

	@Autowired
	void admin(RabbitAdmin rabbitAdmin) {
		admin = rabbitAdmin;
	}

	@AfterAll
	static void deleteQueueAndExchange() {
		admin.deleteQueue(QUEUE);
		admin.deleteExchange(QUEUE);
	}

	@Test
	void aHalfDuplexClientPastTheMostLinesGetsEveryAnswerUpToTheLimit() throws Exception {
		StringBuilder body = new StringBuilder();
		for (int i = 1; i <= 5000; i++) {
			body.append("{\"medicationId\": \"med-limit-")
				.append(i)
				.append("\", \"sender_userId\": \"")
				.append(SENDER)
				.append("\"}\n");
		}
		List<JsonNode> results = HalfDuplexClient.send(this.port, TestTokens.shared().token(SENDER, "orders:write"),
				body.toString().getBytes(StandardCharsets.UTF_8), this.json);
		// 100 orders, the first line past the limit, the summary: nothing for the 4,899
		// lines read after it.
		assertThat(results).hasSize(102);
		assertThat(results).filteredOn((result) -> "accepted".equals(result.path("result").asString()))
			.extracting((result) -> result.get("line").intValue())
			.containsExactlyInAnyOrderElementsOf(IntStream.rangeClosed(1, 100).boxed().toList());
		assertThat(results).filteredOn((result) -> "rejected".equals(result.path("result").asString()))
			.singleElement()
			.satisfies((result) -> {
				assertThat(result.get("line").intValue()).isEqualTo(101);
				assertThat(result.at("/problem/type").asString()).endsWith("/too-many-lines");
				assertThat(result.at("/problem/status").asInt()).isEqualTo(413);
			});
		JsonNode summary = results.get(results.size() - 1);
		assertThat(summary.get("result").asString()).isEqualTo("done");
		assertThat(summary.get("accepted").intValue()).isEqualTo(100);
		await().atMost(Duration.ofSeconds(30)).until(() -> admin.getQueueInfo(QUEUE).getMessageCount() == 100);
	}

}
