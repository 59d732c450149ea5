package dev.orderpipeline.source.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.orderpipeline.contracts.OrderPlaced;
import dev.orderpipeline.contracts.OrderSignature;
import dev.orderpipeline.source.http.OrderAccepted;
import dev.orderpipeline.testsupport.TestSigning;
import dev.orderpipeline.testsupport.TestTokens;
import dev.orderpipeline.testsupport.servers.TestKafka;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.MediaType;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The order routes on Kafka, against the test run's Kafka broker, on a topic of this
 * test's own: an order is answered once the broker acknowledged its record, keyed by the
 * order id.
 */
@DirtiesContext
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "orders.binder=kafka", "management.server.port=0",
				// The first order creates the topic (the binding is made on the first
				// send).
				"orders.source.confirm-timeout=30s", "orders.source.read-timeout=60s" })
@AutoConfigureWebTestClient
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OrderSourceKafkaIntegrationTests {

	private static final String TOPIC = "orders_it_" + UUID.randomUUID().toString().substring(0, 8);

	@Autowired
	private WebTestClient client;

	@Autowired
	private JsonMapper json;

	@DynamicPropertySource
	static void kafka(DynamicPropertyRegistry registry) {
		TestTokens.shared().register(registry);
		TestKafka.shared().register(registry);
		registry.add("orders.queue", () -> TOPIC);
	}

	@Test
	@Order(1)
	void anOrderIsAnsweredOnceItsRecordIsOnTheTopicKeyedByItsIdAndSigned() {
		OrderAccepted accepted = this.client.mutate()
			.responseTimeout(Duration.ofSeconds(40))
			.build()
			.post()
			.uri("/orders")
			.headers((headers) -> headers.setBearerAuth(TestTokens.shared().token("user-kafka", "orders:write")))
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"medicationId\": \"med-kafka\", \"sender_userId\": \"user-kafka\"}")
			.exchange()
			.expectStatus()
			.isAccepted()
			.expectBody(OrderAccepted.class)
			.returnResult()
			.getResponseBody();
		assertThat(accepted).isNotNull();
		ConsumerRecord<String, byte[]> record = onlyRecord();
		assertThat(record.key()).isEqualTo(accepted.orderId().toString());
		OrderPlaced order = this.json.readValue(record.value(), OrderPlaced.class);
		assertThat(order.orderId()).isEqualTo(accepted.orderId());
		assertThat(order.medicationId()).isEqualTo("med-kafka");
		String signature = new String(record.headers().lastHeader(OrderSignature.HEADER).value(),
				StandardCharsets.UTF_8);
		assertThat(TestSigning.signature().verify(signature, record.value())).isNull();
		assertThat(record.headers().lastHeader(KafkaOrderBroker.CORRELATION_HEADER)).isNull();
	}

	@Test
	@Order(2)
	void whileTheBrokerIsDownAnOrderIsAnswered503ByTheProducersOwnTimeoutsAndAcceptedOnceItIsBack() {
		TestKafka kafka = TestKafka.shared();
		kafka.stop();
		byte[] refused;
		try {
			// The confirm timeout here is 30 s: a BROKER_UNAVAILABLE answer comes from
			// the producer's own limits (max.block.ms, delivery.timeout.ms), well before
			// it.
			refused = place("med-down").expectStatus()
				.isEqualTo(503)
				.expectHeader()
				.contentType(MediaType.APPLICATION_PROBLEM_JSON)
				.expectBody()
				.jsonPath("$.reason")
				.isEqualTo("BROKER_UNAVAILABLE")
				.jsonPath("$.orderId")
				.exists()
				.returnResult()
				.getResponseBody();
		}
		finally {
			kafka.start();
		}
		place("med-back").expectStatus().isAccepted();
		String refusedId = this.json.readTree(refused).get("orderId").asString();
		// The refused order's record was given up by the producer: it never reaches the
		// topic, so no sink stores it.
		assertThat(records(2)).extracting(ConsumerRecord::key).doesNotContain(refusedId).hasSize(2);
	}

	@Test
	@Order(3)
	void aStreamOfOrdersIsAnsweredLineByLineAsTheirRecordsAreOnTheTopic() {
		String body = "{\"medicationId\": \"med-s1\", \"sender_userId\": \"user-kafka\"}\n"
				+ "{\"medicationId\": \"med-s2\", \"sender_userId\": \"user-kafka\", \"idempotencyKey\": \"k-2\"}\n"
				+ "{\"medicationId\": \"\", \"sender_userId\": \"user-kafka\"}\n"
				+ "{\"medicationId\": \"med-s4\", \"sender_userId\": \"user-kafka\"}\n";
		List<JsonNode> results = this.client.mutate()
			.responseTimeout(Duration.ofSeconds(40))
			.build()
			.post()
			.uri("/orders")
			.headers((headers) -> headers.setBearerAuth(TestTokens.shared().token("user-kafka", "orders:write")))
			.contentType(MediaType.APPLICATION_NDJSON)
			.bodyValue(body)
			.exchange()
			.expectStatus()
			.isOk()
			.returnResult(String.class)
			.getResponseBody()
			.map(this.json::readTree)
			.collectList()
			.block(Duration.ofSeconds(40));
		Map<Integer, JsonNode> byLine = new HashMap<>();
		results.stream()
			.filter((result) -> result.has("line"))
			.forEach((result) -> byLine.put(result.get("line").intValue(), result));
		assertThat(byLine).hasSize(4);
		assertThat(byLine.get(3).at("/problem/errors/0/field").asString()).isEqualTo("medicationId");
		List<String> accepted = List.of(1, 2, 4)
			.stream()
			.map((line) -> byLine.get(line).get("orderId").asString())
			.toList();
		assertThat(results.get(results.size() - 1).get("accepted").intValue()).isEqualTo(3);
		// Two records from the tests before this one.
		assertThat(records(5)).extracting(ConsumerRecord::key).containsAll(accepted).hasSize(5);
	}

	private WebTestClient.ResponseSpec place(String medication) {
		return this.client.mutate()
			.responseTimeout(Duration.ofSeconds(40))
			.build()
			.post()
			.uri("/orders")
			.headers((headers) -> headers.setBearerAuth(TestTokens.shared().token("user-kafka", "orders:write")))
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"medicationId\": \"" + medication + "\", \"sender_userId\": \"user-kafka\"}")
			.exchange();
	}

	private ConsumerRecord<String, byte[]> onlyRecord() {
		List<ConsumerRecord<String, byte[]>> records = records(1);
		assertThat(records).hasSize(1);
		return records.get(0);
	}

	/**
	 * The topic's records: once {@code expected} have come, those that come within two
	 * more seconds too.
	 */
	private List<ConsumerRecord<String, byte[]>> records(int expected) {
		Map<String, Object> properties = new HashMap<>(TestKafka.shared().clientProperties());
		properties.put(ConsumerConfig.GROUP_ID_CONFIG, TOPIC + "-reader-" + UUID.randomUUID());
		properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
		try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(properties, new StringDeserializer(),
				new ByteArrayDeserializer())) {
			consumer.subscribe(List.of(TOPIC));
			List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
			await().atMost(Duration.ofSeconds(30)).until(() -> {
				consumer.poll(Duration.ofMillis(500)).forEach(records::add);
				return records.size() >= expected;
			});
			consumer.poll(Duration.ofSeconds(2)).forEach(records::add);
			return records;
		}
	}

}
