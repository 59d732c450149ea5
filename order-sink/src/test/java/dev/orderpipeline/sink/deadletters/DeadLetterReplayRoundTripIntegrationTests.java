package dev.orderpipeline.sink.deadletters;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import dev.orderpipeline.contracts.NewOrder;
import dev.orderpipeline.testsupport.LegacyPublisher;
import dev.orderpipeline.testsupport.RabbitTestTopology;
import dev.orderpipeline.testsupport.TestDatabase;
import dev.orderpipeline.testsupport.TestTokens;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A replay through the running sink on the test run's RabbitMQ and PostgreSQL: a replayed
 * order is stored as it would have been the first time, and one that fails again comes
 * back to the dead-letter queue with its replay count, until the cap keeps it there.
 */
@DirtiesContext
@SpringBootTest(properties = { "server.port=0", "management.server.port=0" })
class DeadLetterReplayRoundTripIntegrationTests {

	private static final RabbitTestTopology topology = new RabbitTestTopology();

	private static final TestDatabase database = TestDatabase.shared();

	private static RabbitAdmin admin;

	@Autowired
	private RabbitTemplate rabbit;

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		topology.register(registry);
		database.register(registry);
		TestTokens.shared().register(registry);
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
	void aReplayedLegacyOrderIsStoredWithTheIdAndTimeOfItsMessage() {
		String messageId = "legacy-" + UUID.randomUUID();
		String orderId = NewOrder.idForMessage(messageId).toString();
		String sender = "user-" + UUID.randomUUID();
		Instant sentAt = Instant.parse("2026-11-20T09:30:00Z");
		MessageProperties properties = new MessageProperties();
		properties.setMessageId(messageId);
		properties.setTimestamp(Date.from(sentAt));
		properties.setHeader("x-failure-kind", "refused");
		properties.setHeader("x-exception-message", "SQLState 57P01: the database was shutting down");
		this.rabbit.send("", topology.deadLetterQueue(),
				new Message(("{\"medicationId\": \"med-legacy\", " + "\"sender_userId\": \"" + sender
						+ "\", \"status\": [\"PENDING\"]}")
					.getBytes(StandardCharsets.UTF_8), properties));

		assertThat(command("replay", "--ids=" + orderId)).isEqualTo(DeadLetterCommand.OK);

		await().atMost(Duration.ofSeconds(20))
			.until(() -> database.countOrders("order_id = '" + orderId + "' AND sender_user_id = '" + sender
					+ "' AND channel = 'LEGACY_QUEUE' AND created_at = '" + sentAt + "'") == 1);
		assertThat(depth(topology.deadLetterQueue())).isZero();
	}

	@Test
	void anOrderThatFailsAgainReturnsWithItsReplayCountUntilTheCapKeepsIt() {
		String messageId = UUID.randomUUID().toString();
		String orderId = NewOrder.idForMessage(messageId).toString();
		LegacyPublisher.publish(topology.queue(), "{\"medicationId\": \"med-legacy\", \"sender_userId\": ", messageId);
		await().atMost(Duration.ofSeconds(20)).until(() -> depth(topology.deadLetterQueue()) == 1);

		assertThat(command("replay", "--ids=" + orderId, "--orders.sink.replay.max-replays=1"))
			.isEqualTo(DeadLetterCommand.OK);
		await().atMost(Duration.ofSeconds(20))
			.until(() -> depth(topology.queue()) == 0 && depth(topology.deadLetterQueue()) == 1);

		assertThat(command("replay", "--ids=" + orderId, "--orders.sink.replay.max-replays=1"))
			.isEqualTo(DeadLetterCommand.INCOMPLETE);
		Message deadLetter = this.rabbit.receive(topology.deadLetterQueue(), 5000);
		assertThat(deadLetter).isNotNull();
		assertThat(deadLetter.getMessageProperties().getMessageId()).isEqualTo(messageId);
		Map<String, Object> headers = deadLetter.getMessageProperties().getHeaders();
		assertThat(headers).containsEntry("x-replay-count", 1)
			.containsEntry("x-failure-kind", "undecodable")
			.containsEntry("x-original-queue", topology.queue());
		assertThat((String) headers.get("x-exception-message")).contains("not valid JSON");
		assertThat(database.countOrders("order_id = '" + orderId + "'")).isZero();
	}

	private static int command(String... args) {
		String[] arguments = Stream
			.of(Stream.of(DeadLetterCommand.NAME), Stream.of(args), topology.arguments().stream())
			.flatMap((stream) -> stream)
			.toArray(String[]::new);
		PrintStream ignored = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
		return DeadLetterCommand.run(arguments, ignored, ignored);
	}

	private static long depth(String queue) {
		return admin.getQueueInfo(queue).getMessageCount();
	}

}
