package dev.orderpipeline.source.rabbit;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import dev.orderpipeline.testsupport.TestTokens;
import dev.orderpipeline.testsupport.servers.TestRabbitMq;
import io.netty.channel.ChannelOption;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Sinks;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Streams of orders over a real port against the test run's RabbitMQ node: a client that
 * reads results while it sends, and one that reads nothing until it has sent everything,
 * with socket buffers small enough that a server which stopped reading while its results
 * could not be written would never finish.
 */
@DirtiesContext
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "management.server.port=0", "orders.source.rate-limit.enabled=false",
				"orders.source.stream.max-lines=20000", "orders.source.stream.max-streams=2",
				"orders.source.stream.max-streams-per-caller=1" })
@Import(OrderStreamIntegrationTests.SmallSocketBuffers.class)
class OrderStreamIntegrationTests {

	private static final String QUEUE = "orders_stream_it_" + UUID.randomUUID().toString().substring(0, 8);

	private static final String SENDER = "stream-sender";

	private static RabbitAdmin admin;

	@LocalServerPort
	private int port;

	@Autowired
	private RabbitTemplate rabbit;

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

	@TestConfiguration(proxyBeanMethods = false)
	static class SmallSocketBuffers {

		@Bean
		NettyServerCustomizer smallSocketBuffers() {
			return (server) -> server.childOption(ChannelOption.SO_SNDBUF, 4096)
				.childOption(ChannelOption.SO_RCVBUF, 4096);
		}

	}

	/**
	 * Each line is sent only once the previous line's result has arrived: a server that
	 * answered only after the whole body never gets the second line.
	 */
	@Test
	void aFullDuplexClientReadsEachResultBeforeItSendsTheNextLine() throws Exception {
		Sinks.Many<String> lines = Sinks.many().unicast().onBackpressureBuffer();
		BlockingQueue<JsonNode> results = new LinkedBlockingQueue<>();
		Disposable call = WebClient.create("http://localhost:" + this.port)
			.post()
			.uri("/orders")
			.headers((headers) -> headers.setBearerAuth(TestTokens.shared().token(SENDER, "orders:write")))
			.contentType(MediaType.APPLICATION_NDJSON)
			.body(lines.asFlux(), String.class)
			.retrieve()
			.bodyToFlux(String.class)
			.subscribe((line) -> results.add(this.json.readTree(line)));
		try {
			Set<String> ids = new HashSet<>();
			for (int i = 1; i <= 5; i++) {
				lines.tryEmitNext(order("med-duplex-" + i) + "\n").orThrow();
				JsonNode result = results.poll(30, TimeUnit.SECONDS);
				assertThat(result).as("the result of line %d while the request is still open", i).isNotNull();
				assertThat(result.get("line").intValue()).isEqualTo(i);
				assertThat(result.get("result").stringValue()).isEqualTo("accepted");
				ids.add(result.get("orderId").stringValue());
			}
			lines.tryEmitComplete().orThrow();
			JsonNode summary = results.poll(30, TimeUnit.SECONDS);
			assertThat(summary.get("result").stringValue()).isEqualTo("done");
			assertThat(summary.get("accepted").intValue()).isEqualTo(5);
			assertThat(queuedOrderIds(5)).isEqualTo(ids);
		}
		finally {
			call.dispose();
		}
	}

	/**
	 * Open streams are limited per caller (429) and on the instance (503), and a stream's
	 * slot is given back when it ends.
	 */
	@Test
	void refusesAStreamPastTheCallersAndTheInstancesMostAndFreesTheSlotWhenOneEnds() throws Exception {
		Sinks.Many<String> first = Sinks.many().unicast().onBackpressureBuffer();
		Sinks.Many<String> second = Sinks.many().unicast().onBackpressureBuffer();
		BlockingQueue<JsonNode> results = new LinkedBlockingQueue<>();
		Disposable one = openStream(SENDER, first, results);
		Disposable two = openStream("other-sender", second, results);
		try {
			first.tryEmitNext(order("med-slot-1") + "\n").orThrow();
			second.tryEmitNext("{\"medicationId\": \"med-slot-2\", \"sender_userId\": \"other-sender\"}\n").orThrow();
			assertThat(results.poll(30, TimeUnit.SECONDS)).isNotNull();
			assertThat(results.poll(30, TimeUnit.SECONDS)).isNotNull();
			assertRefused(SENDER, 429);
			assertRefused("third-sender", 503);
			first.tryEmitComplete().orThrow();
			second.tryEmitComplete().orThrow();
			await().atMost(Duration.ofSeconds(30)).until(() -> refusal(SENDER) == 200);
			// The two streams' orders and the one placed once a slot was free.
			assertThat(queuedOrderIds(3)).hasSize(3);
		}
		finally {
			one.dispose();
			two.dispose();
		}
	}

	private Disposable openStream(String sender, Sinks.Many<String> lines, BlockingQueue<JsonNode> results) {
		return WebClient.create("http://localhost:" + this.port)
			.post()
			.uri("/orders")
			.headers((headers) -> headers.setBearerAuth(TestTokens.shared().token(sender, "orders:write")))
			.contentType(MediaType.APPLICATION_NDJSON)
			.body(lines.asFlux(), String.class)
			.retrieve()
			.bodyToFlux(String.class)
			.subscribe((line) -> results.add(this.json.readTree(line)));
	}

	private void assertRefused(String sender, int status) throws Exception {
		HttpResponse<String> refused = post(sender);
		assertThat(refused.statusCode()).isEqualTo(status);
		assertThat(refused.headers().firstValue("Content-Type"))
			.hasValueSatisfying((type) -> assertThat(type).startsWith("application/problem+json"));
		assertThat(refused.headers().firstValue("Retry-After")).isPresent();
		assertThat(this.json.readTree(refused.body()).get("type").stringValue()).endsWith("/too-many-streams");
	}

	private int refusal(String sender) throws Exception {
		return post(sender).statusCode();
	}

	private HttpResponse<String> post(String sender) throws Exception {
		return HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + "/orders"))
				.header("Authorization", "Bearer " + TestTokens.shared().token(sender, "orders:write"))
				.header("Content-Type", "application/x-ndjson")
				.POST(HttpRequest.BodyPublishers
					.ofString("{\"medicationId\": \"med-slot\", \"sender_userId\": \"" + sender + "\"}\n"))
				.build(), HttpResponse.BodyHandlers.ofString());
	}

	/**
	 * A client that writes the whole body before it reads (as curl --data-binary does),
	 * 20,000 orders (1.4 MB, more than the server reads ahead) through 4 KB socket
	 * buffers on both ends: the server keeps reading while it holds the results, and
	 * every order is confirmed and answered.
	 */
	@Test
	void aHalfDuplexClientSendsEverythingFirstAndThenReadsEveryResult() throws Exception {
		int count = 20_000;
		StringBuilder body = new StringBuilder();
		for (int i = 1; i <= count; i++) {
			body.append(order("med-half-" + i)).append('\n');
		}
		byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
		String token = TestTokens.shared().token(SENDER, "orders:write");
		List<JsonNode> results = HalfDuplexClient.send(this.port, token, bytes, this.json);
		JsonNode summary = results.get(results.size() - 1);
		assertThat(summary.get("result").stringValue()).isEqualTo("done");
		assertThat(summary.get("accepted").intValue()).isEqualTo(count);
		Set<Integer> answered = new HashSet<>();
		Set<String> ids = new HashSet<>();
		results.stream().filter((result) -> result.has("line")).forEach((result) -> {
			assertThat(result.get("result").stringValue()).isEqualTo("accepted");
			answered.add(result.get("line").intValue());
			ids.add(result.get("orderId").stringValue());
		});
		assertThat(answered).hasSize(count);
		// One result per line, none twice, and the summary.
		assertThat(results).hasSize(count + 1);
		assertThat(summary.get("orders").intValue()).isEqualTo(count);
		await().atMost(Duration.ofSeconds(30)).until(() -> admin.getQueueInfo(QUEUE).getMessageCount() == count);
		assertThat(queuedOrderIds(count)).isEqualTo(ids);
	}

	private Set<String> queuedOrderIds(int count) {
		Set<String> ids = new HashSet<>();
		for (int i = 0; i < count; i++) {
			Message message = this.rabbit.receive(QUEUE, 5000);
			assertThat(message).as("message %d of %d on the queue", i + 1, count).isNotNull();
			ids.add(this.json.readTree(message.getBody()).get("orderId").stringValue());
		}
		assertThat(this.rabbit.receive(QUEUE, 200)).isNull();
		return ids;
	}

	private static String order(String medication) {
		return "{\"medicationId\": \"" + medication + "\", \"sender_userId\": \"" + SENDER + "\"}";
	}

}
