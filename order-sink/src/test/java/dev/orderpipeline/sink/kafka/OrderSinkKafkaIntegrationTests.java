package dev.orderpipeline.sink.kafka;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import dev.orderpipeline.contracts.OrderEvents;
import dev.orderpipeline.contracts.OrderLifecycle;
import dev.orderpipeline.contracts.OrderSignature;
import dev.orderpipeline.contracts.OrderStatus;
import dev.orderpipeline.contracts.StatusChangeRequested;
import dev.orderpipeline.sink.deadletters.DeadLetterPublisher;
import dev.orderpipeline.testsupport.TestDatabase;
import dev.orderpipeline.testsupport.TestSigning;
import dev.orderpipeline.testsupport.TestTokens;
import dev.orderpipeline.testsupport.servers.TestKafka;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The sink on Kafka, against the test run's Kafka broker and PostgreSQL, on topics of
 * this test's own: records as order-source and other producers write them, delivered
 * again, and poison among good neighbours.
 */
@DirtiesContext
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "orders.binder=kafka", "management.server.port=0" })
class OrderSinkKafkaIntegrationTests {

	private static final KafkaTestTopic topic = new KafkaTestTopic();

	private static final TestDatabase database = TestDatabase.shared();

	@Autowired
	private MeterRegistry meters;

	@Autowired
	private ApplicationAvailability availability;

	@Value("${local.server.port}")
	private int port;

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		TestTokens.shared().register(registry);
		topic.register(registry);
		database.register(registry);
	}

	@AfterAll
	static void closeTopic() {
		topic.close();
	}

	@Test
	void storesSignedRecordsAndLegacyOnesOnceEachHoweverOftenTheyAreDelivered() throws Exception {
		String sender = sender();
		UUID orderId = UUID.randomUUID();
		String body = placed(orderId, sender);
		for (int i = 0; i < 2; i++) {
			topic.send(orderId.toString(), body,
					Map.of(OrderSignature.HEADER, TestSigning.sign(KafkaTestTopic.bytes(body))));
			topic.send(null, legacy(sender), Map.of(KafkaReceivedMessages.MESSAGE_ID_HEADER, "legacy-" + sender));
		}
		String marker = sender();
		topic.send(null, legacy(marker), Map.of());
		await().atMost(Duration.ofSeconds(60))
			.until(() -> database.countOrders("sender_user_id = '" + marker + "'") == 1);
		assertThat(database.countOrders("sender_user_id = '" + sender + "' AND channel = 'API'")).isOne();
		assertThat(database.countOrders("sender_user_id = '" + sender + "' AND channel = 'LEGACY_QUEUE'")).isOne();
		assertThat(database.countOrders("order_id = '" + orderId + "'")).isOne();
	}

	/**
	 * Status changes on Kafka, keyed by their order like the order itself, delivered
	 * before their order, out of order and twice: each waits for its base and is applied
	 * once. A client following the order from before it arrived sees it stored, then each
	 * change applied in turn, once.
	 */
	@Test
	void appliesStatusChangesDeliveredBeforeTheirOrderAndOutOfOrderOnce() throws Exception {
		String sender = sender();
		UUID orderId = UUID.randomUUID();
		List<String> followed = new CopyOnWriteArrayList<>();
		Disposable following = WebClient.create("http://127.0.0.1:" + this.port)
			.get()
			.uri("/orders/{id}/events", orderId)
			.accept(MediaType.APPLICATION_NDJSON)
			.header(HttpHeaders.AUTHORIZATION,
					"Bearer " + TestTokens.shared().claims("admin-1").roles(OrderLifecycle.ADMIN).sign())
			.retrieve()
			.bodyToFlux(JsonNode.class)
			.filter((line) -> line.has("orderId"))
			.map((line) -> line.get("event").asString() + " " + line.path("change").path("version").asInt(1))
			.subscribe(followed::add);
		List<String> changes = List.of(change(orderId, OrderStatus.DELIVERED, 3),
				change(orderId, OrderStatus.APPROVED, 1), change(orderId, OrderStatus.DISPATCHED, 2));
		for (String change : changes) {
			topic.send(orderId.toString(), change,
					Map.of(OrderSignature.HEADER, TestSigning.sign(KafkaTestTopic.bytes(change)),
							OrderEvents.TYPE_HEADER, OrderEvents.STATUS_CHANGE_REQUESTED));
		}
		String body = placed(orderId, sender);
		topic.send(orderId.toString(), body,
				Map.of(OrderSignature.HEADER, TestSigning.sign(KafkaTestTopic.bytes(body))));
		// Redelivered.
		topic.send(orderId.toString(), changes.get(1),
				Map.of(OrderSignature.HEADER, TestSigning.sign(KafkaTestTopic.bytes(changes.get(1))),
						OrderEvents.TYPE_HEADER, OrderEvents.STATUS_CHANGE_REQUESTED));
		// The redelivery comes last on the order's partition: once it is decided (as
		// decided before), every change before it was. (Kafka may deliver a batch again
		// after a rebalance: more duplicates then, never another version.)
		await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
			assertThat(this.meters.counter("orders.status.changes", "outcome", "duplicate").count()).as("duplicates")
				.isGreaterThanOrEqualTo(1);
			assertThat(database.countOrders("order_id = '" + orderId + "' AND state = 'DELIVERED' AND version = 4"))
				.as("the order delivered at version 4 (stored: %d)",
						database.countOrders("order_id = '" + orderId + "'"))
				.isOne();
		});
		try (Connection connection = database.connect();
				Statement statement = connection.createStatement();
				ResultSet history = statement.executeQuery(
						"SELECT count(*) FILTER (WHERE outcome = 'APPLIED'), count(*) FROM order_status_history "
								+ "WHERE order_id = '" + orderId + "'")) {
			history.next();
			assertThat(history.getInt(1)).as("applied").isEqualTo(3);
			assertThat(history.getInt(2)).as("decided").isEqualTo(3);
		}
		try {
			await().atMost(Duration.ofSeconds(20)).until(() -> followed.size() >= 4);
			assertThat(followed).containsExactly("order-stored 1", "status-changed 2", "status-changed 3",
					"status-changed 4");
		}
		finally {
			following.dispose();
		}
	}

	private static String change(UUID orderId, OrderStatus status, int base) {
		return JsonMapper.builder()
			.build()
			.writeValueAsString(new StatusChangeRequested(UUID.randomUUID(), orderId, status, base, "admin-1",
					List.of(OrderLifecycle.ADMIN), null, Instant.now()));
	}

	@Test
	void poisonGoesToTheDeadLetterTopicOneByOneWithItsCauseWhileItsNeighboursAreStored() throws Exception {
		String sender = sender();
		String forged = placed(UUID.randomUUID(), sender);
		topic.send(null, legacy(sender), Map.of());
		topic.send(null, "{not json", Map.of());
		topic.send(null, forged, Map.of());
		topic.send(null, "{\"medicationId\": \"" + "m".repeat(70 * 1024) + "\", \"sender_userId\": \"" + sender + "\"}",
				Map.of());
		topic.send(null, legacy(sender), Map.of("traceparent", "00-" + "a".repeat(32) + "-" + "b".repeat(16) + "-01"));
		await().atMost(Duration.ofSeconds(60))
			.until(() -> database.countOrders("sender_user_id = '" + sender + "'") == 2);
		List<ConsumerRecord<byte[], byte[]>> deadLetters = topic.deadLetters(3);
		assertThat(deadLetters)
			.extracting((record) -> KafkaTestTopic.header(record, DeadLetterPublisher.FAILURE_KIND_HEADER))
			.containsExactlyInAnyOrder("undecodable", "unverified", "oversized");
		assertThat(deadLetters).allSatisfy((record) -> {
			assertThat(KafkaTestTopic.header(record, DeadLetterPublisher.ORIGINAL_QUEUE_HEADER))
				.isEqualTo(topic.name());
			assertThat(KafkaTestTopic.header(record, DeadLetterPublisher.EXCEPTION_MESSAGE_HEADER)).isNotBlank();
			assertThat(KafkaTestTopic.header(record, KafkaDeadLetterPublisher.ORIGINAL_OFFSET_HEADER)).isNotBlank();
		});
		ConsumerRecord<byte[], byte[]> unverified = deadLetters.stream()
			.filter((record) -> "unverified"
				.equals(KafkaTestTopic.header(record, DeadLetterPublisher.FAILURE_KIND_HEADER)))
			.findFirst()
			.orElseThrow();
		assertThat(new String(unverified.value(), StandardCharsets.UTF_8)).isEqualTo(forged);
		assertThat(KafkaTestTopic.header(unverified, DeadLetterPublisher.EXCEPTION_MESSAGE_HEADER))
			.contains("without a signature");
		assertThat(this.meters.counter("orders.dead.lettered", "reason", "unverified").count()).isOne();
	}

	@Test
	void reportsTheConsumerLagAndIsReadyWithTheBinder() throws Exception {
		String sender = sender();
		topic.send(null, legacy(sender), Map.of());
		await().atMost(Duration.ofSeconds(60))
			.until(() -> database.countOrders("sender_user_id = '" + sender + "'") == 1);
		await().atMost(Duration.ofSeconds(30))
			.until(() -> this.meters.get("orders.queue.depth").tag("queue", topic.name()).gauge().value() == 0);
		assertThat(this.meters.get("orders.queue.depth").tag("queue", topic.deadLetterTopic()).gauge().value())
			.isNotNaN();
		assertThat(this.availability.getReadinessState()).isEqualTo(ReadinessState.ACCEPTING_TRAFFIC);
	}

	static String sender() {
		return "user-" + UUID.randomUUID();
	}

	static String legacy(String sender) {
		return "{\"medicationId\": \"m\", \"sender_userId\": \"" + sender + "\", \"status\": [\"PENDING\"]}";
	}

	static String placed(UUID orderId, String sender) {
		return "{\"orderId\": \"" + orderId + "\", \"medicationId\": \"m\", \"sender_userId\": \"" + sender
				+ "\", \"status\": [\"PENDING\"], \"createdAt\": \"2026-01-01T00:00:00Z\", \"channel\": \"API\"}";
	}

}
