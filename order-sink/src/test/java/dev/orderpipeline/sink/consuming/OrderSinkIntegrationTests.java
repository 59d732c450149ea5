package dev.orderpipeline.sink.consuming;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import dev.orderpipeline.contracts.NewOrder;
import dev.orderpipeline.contracts.OrderSignature;
import dev.orderpipeline.sink.deadletters.DeadLetterPublisher;
import dev.orderpipeline.testsupport.LegacyPublisher;
import dev.orderpipeline.testsupport.RabbitTestTopology;
import dev.orderpipeline.testsupport.TestDatabase;
import dev.orderpipeline.testsupport.TestSigning;
import dev.orderpipeline.testsupport.TestTokens;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.cloud.stream.binding.BindingsLifecycleController;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The sink on the test run's RabbitMQ and PostgreSQL, fed the way legacy publishers feed
 * it: the default exchange, the legacy queue declaration, no content type.
 */
@DirtiesContext
@SpringBootTest(properties = { "server.port=0", "management.server.port=0" })
@ExtendWith(OutputCaptureExtension.class)
class OrderSinkIntegrationTests {

	private static final RabbitTestTopology topology = new RabbitTestTopology();

	private static final TestDatabase database = TestDatabase.shared();

	private static RabbitAdmin admin;

	@Autowired
	private RabbitTemplate rabbit;

	@Autowired
	private MeterRegistry meters;

	@Autowired
	private BindingsLifecycleController bindings;

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		TestTokens.shared().register(registry);
		topology.register(registry);
		database.register(registry);
	}

	@Autowired
	void admin(RabbitAdmin rabbitAdmin) {
		admin = rabbitAdmin;
	}

	@AfterAll
	static void deleteTopology() {
		topology.delete(admin);
	}

	@Test
	void storesAnOrderPublishedTheLegacyWay() {
		String sender = sender();
		publishLegacy(legacyBody(sender), null);
		await().atMost(Duration.ofSeconds(20))
			.until(() -> database.countOrders("sender_user_id = '" + sender + "' AND channel = 'LEGACY_QUEUE'") == 1);
		// It came without a trace: the row has none rather than the sink's own.
		assertThat(database.countOrders("sender_user_id = '" + sender + "' AND trace_id IS NULL")).isOne();
	}

	@Test
	void measuresTheQueueDepthsAndTheTimeFromAcceptanceToCommit() {
		String sender = sender();
		publishLegacy(legacyBody(sender), null);
		await().atMost(Duration.ofSeconds(20))
			.until(() -> database.countOrders("sender_user_id = '" + sender + "'") == 1);
		assertThat(this.meters.timer("orders.accept.to.stored").count()).isPositive();
		assertThat(this.meters.get("orders.queue.depth").tag("queue", topology.queue()).gauge().value()).isZero();
		assertThat(this.meters.get("orders.queue.depth").tag("queue", topology.deadLetterQueue()).gauge().value())
			.isEqualTo(admin.getQueueInfo(topology.deadLetterQueue()).getMessageCount());
	}

	@Test
	void anOrderDeliveredTwiceIsStoredOnce() throws Exception {
		String sender = sender();
		String messageId = UUID.randomUUID().toString();
		publishLegacy(legacyBody(sender), messageId);
		publishLegacy(legacyBody(sender), messageId);
		String marker = sender();
		publishLegacy(legacyBody(marker), null);
		await().atMost(Duration.ofSeconds(20))
			.until(() -> database.countOrders("sender_user_id = '" + marker + "'") == 1);
		assertThat(database.countOrders("sender_user_id = '" + sender + "'")).isOne();
		assertThat(database.countOrders("order_id = '" + NewOrder.idForMessage(messageId) + "'")).isOne();
	}

	@Test
	void aLegacyPublisherCannotForgeAnOrderOfTheSourceOrTakeAVictimsOrderId() {
		UUID victimsOrder = UUID.randomUUID();
		String victim = sender();
		String attacker = sender();
		double unverified = deadLettered("unverified");
		// Forged: the victim's future order id, the API's channel, another sender.
		publishLegacy("{\"orderId\": \"" + victimsOrder + "\", \"medicationId\": \"med-forged\", \"sender_userId\": \""
				+ attacker
				+ "\", \"status\": [\"PENDING\"], \"createdAt\": \"2026-11-24T08:00:00Z\", \"channel\": \"API\"}",
				victimsOrder.toString());
		// Signed with a key the services do not hold.
		String body = placed(victimsOrder, attacker, "2026-11-24T08:00:00Z");
		LegacyPublisher.publish(topology.queue(), body, victimsOrder.toString(),
				Map.of(OrderSignature.HEADER,
						OrderSignature.of(Map.of(TestSigning.KEY_ID, TestSigning.newKey()), TestSigning.KEY_ID)
							.sign(body.getBytes(UTF_8))));
		// A legacy message whose message id is the victim's order id.
		publishLegacy(legacyBody(attacker), victimsOrder.toString());
		await().atMost(Duration.ofSeconds(20))
			.until(() -> database.countOrders("sender_user_id = '" + attacker + "'") == 1);

		publishSigned(victimsOrder, victim, "2026-11-24T09:00:00Z");
		await().atMost(Duration.ofSeconds(20))
			.until(() -> database.countOrders("order_id = '" + victimsOrder + "' AND sender_user_id = '" + victim
					+ "' AND channel = 'API'") == 1);
		assertThat(
				database.countOrders("sender_user_id = '" + attacker + "' AND channel = 'LEGACY_QUEUE' AND order_id = '"
						+ NewOrder.idForMessage(victimsOrder.toString()) + "'"))
			.isOne();
		for (int i = 0; i < 2; i++) {
			Message deadLetter = this.rabbit.receive(topology.deadLetterQueue(), 10_000);
			assertThat(deadLetter).isNotNull();
			assertThat(deadLetter.getMessageProperties().getHeaders())
				.containsEntry(DeadLetterPublisher.FAILURE_KIND_HEADER, "unverified");
		}
		assertThat(deadLettered("unverified")).isEqualTo(unverified + 2);
	}

	@Test
	void aPoisonMessageInABatchIsDeadLetteredWithItsCauseWhileItsNeighboursAreStored() throws Exception {
		String sender = sender();
		this.bindings.stop("orderSink-in-0");
		try {
			publishLegacy(legacyBody(sender), null);
			publishLegacy("{\"medicationId\": \"m\", \"sender_userId\": ", null);
			publishSigned(UUID.randomUUID(), sender, "+300000-01-01T00:00:00Z");
			publishLegacy(legacyBody(sender), null);
		}
		finally {
			this.bindings.start("orderSink-in-0");
		}
		await().atMost(Duration.ofSeconds(20))
			.until(() -> database.countOrders("sender_user_id = '" + sender + "'") == 2);
		Message undecodable = this.rabbit.receive(topology.deadLetterQueue(), 10_000);
		Message refused = this.rabbit.receive(topology.deadLetterQueue(), 10_000);
		assertThat(undecodable).isNotNull();
		assertThat(refused).isNotNull();
		Map<String, Object> undecodableHeaders = undecodable.getMessageProperties().getHeaders();
		assertThat(undecodableHeaders).containsEntry(DeadLetterPublisher.FAILURE_KIND_HEADER, "undecodable")
			.containsEntry("x-original-queue", topology.queue());
		assertThat((String) undecodableHeaders.get(DeadLetterPublisher.EXCEPTION_MESSAGE_HEADER))
			.contains("not valid JSON");
		assertThat(new String(undecodable.getBody(), UTF_8)).isEqualTo("{\"medicationId\": \"m\", \"sender_userId\": ");
		assertThat(refused.getMessageProperties().getHeaders()).containsEntry(DeadLetterPublisher.FAILURE_KIND_HEADER,
				"refused");
		assertThat(
				(String) refused.getMessageProperties().getHeaders().get(DeadLetterPublisher.EXCEPTION_MESSAGE_HEADER))
			.startsWith("SQLState 22");
		String next = sender();
		publishLegacy(legacyBody(next), null);
		await().atMost(Duration.ofSeconds(20))
			.until(() -> database.countOrders("sender_user_id = '" + next + "'") == 1);
		assertThat(this.rabbit.receive(topology.deadLetterQueue(), 500)).isNull();
	}

	@Test
	void oversizedMessagesAreDeadLetteredUnreadWhileTheirNeighboursAreStored(CapturedOutput output) {
		String sender = sender();
		String padding = "x".repeat(100 * 1024);
		double oversized = deadLettered("oversized");
		// Larger than the broker's max_message_size: the broker refuses it.
		assertThatThrownBy(() -> publishLegacy("{\"medicationId\": \"m\", \"sender_userId\": \"" + sender
				+ "\", \"pad\": \"" + "x".repeat(40 << 20) + "\"}", null))
			.isInstanceOf(RuntimeException.class);
		this.bindings.stop("orderSink-in-0");
		try {
			for (int i = 0; i < 3; i++) {
				publishLegacy("{\"medicationId\": \"m\", \"sender_userId\": \"" + sender + "\", \"pad\": \"" + padding
						+ "\"}", null);
			}
			publishLegacy(legacyBody(sender), null);
		}
		finally {
			this.bindings.start("orderSink-in-0");
		}
		await().atMost(Duration.ofSeconds(20))
			.until(() -> database.countOrders("sender_user_id = '" + sender + "'") == 1);
		for (int i = 0; i < 3; i++) {
			Message deadLetter = this.rabbit.receive(topology.deadLetterQueue(), 10_000);
			assertThat(deadLetter).isNotNull();
			assertThat(deadLetter.getBody()).hasSizeGreaterThan(100 * 1024);
			assertThat(deadLetter.getMessageProperties().getHeaders())
				.containsEntry(DeadLetterPublisher.FAILURE_KIND_HEADER, "oversized");
		}
		assertThat(deadLettered("oversized")).isEqualTo(oversized + 3);
		assertThat(admin.getQueueInfo(topology.queue()).getConsumerCount()).isOne();
		assertThat(output).doesNotContain("Restarting").doesNotContain("OutOfMemoryError");
	}

	@Test
	void aMessageIsDeadLetteredUnderItsOwnTraceAndTheLogSaysWhich(CapturedOutput output) {
		String traceId = UUID.randomUUID().toString().replace("-", "");
		MessageProperties properties = new MessageProperties();
		properties.setHeader("traceparent", "00-" + traceId + "-" + traceId.substring(0, 16) + "-01");
		this.rabbit.send("", topology.queue(), new Message("not an order".getBytes(UTF_8), properties));
		await().atMost(Duration.ofSeconds(20))
			.until(() -> output.toString()
				.lines()
				.anyMatch((line) -> line.contains("Dead-lettering") && line.contains(traceId)));
		assertThat(this.rabbit.receive(topology.deadLetterQueue(), 10_000)).isNotNull();
	}

	/** Publishes an order as order-source does: the whole event, signed. */
	private static void publishSigned(UUID orderId, String sender, String createdAt) {
		String body = placed(orderId, sender, createdAt);
		LegacyPublisher.publish(topology.queue(), body, orderId.toString(),
				Map.of(OrderSignature.HEADER, TestSigning.sign(body.getBytes(UTF_8))));
	}

	private static String placed(UUID orderId, String sender, String createdAt) {
		return "{\"orderId\": \"" + orderId + "\", \"medicationId\": \"m\", \"sender_userId\": \"" + sender
				+ "\", \"status\": [\"PENDING\"], \"createdAt\": \"" + createdAt + "\", \"channel\": \"API\"}";
	}

	private double deadLettered(String reason) {
		Counter counter = this.meters.find("orders.dead.lettered").tag("reason", reason).counter();
		return (counter != null) ? counter.count() : 0;
	}

	private static void publishLegacy(String body, String messageId) {
		LegacyPublisher.publish(topology.queue(), body, messageId);
	}

	private static String legacyBody(String sender) {
		return "{\"medicationId\": \"med-legacy\", \"sender_userId\": \"" + sender + "\", \"status\": [\"PENDING\"]}";
	}

	private static String sender() {
		return "user-" + UUID.randomUUID();
	}

}
