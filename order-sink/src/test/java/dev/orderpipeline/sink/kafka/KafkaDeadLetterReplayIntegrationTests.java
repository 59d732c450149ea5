package dev.orderpipeline.sink.kafka;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import dev.orderpipeline.contracts.NewOrder;
import dev.orderpipeline.sink.deadletters.DeadLetterCommand;
import dev.orderpipeline.sink.deadletters.DeadLetterPublisher;
import dev.orderpipeline.testsupport.TestDatabase;
import dev.orderpipeline.testsupport.TestTokens;
import dev.orderpipeline.testsupport.servers.TestKafka;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The dead-letter commands on the dead-letter topic, through the running sink on the test
 * run's Kafka broker and PostgreSQL: a replayed order is stored as it would have been the
 * first time, and one that fails again comes back with its replay count until the cap
 * keeps it; what the commands handled is not listed again.
 */
@DirtiesContext
@SpringBootTest(properties = { "orders.binder=kafka", "server.port=0", "management.server.port=0" })
class KafkaDeadLetterReplayIntegrationTests {

	private static final KafkaTestTopic topic = new KafkaTestTopic();

	private static final TestDatabase database = TestDatabase.shared();

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
	void replaysADeadLetteredOrderAndKeepsOneThatFailsAgainOnceTheCapIsReached() throws Exception {
		// A legacy order the database refused once, dead-lettered as the sink does.
		String messageId = "legacy-" + UUID.randomUUID();
		String orderId = NewOrder.idForMessage(messageId).toString();
		String sender = OrderSinkKafkaIntegrationTests.sender();
		Instant sentAt = Instant.parse("2026-11-20T09:30:00Z");
		topic.sendDeadLetter(sentAt, OrderSinkKafkaIntegrationTests.legacy(sender),
				Map.of(KafkaReceivedMessages.MESSAGE_ID_HEADER, messageId, DeadLetterPublisher.FAILURE_KIND_HEADER,
						"refused", DeadLetterPublisher.EXCEPTION_MESSAGE_HEADER, "SQLState 57P01: shutting down"));
		// A record that is not an order, dead-lettered by the sink.
		topic.send(null, "{\"medicationId\": ", Map.of());
		await().atMost(Duration.ofSeconds(60)).until(() -> topic.deadLetterCount() == 2);
		String undecodable = KafkaTestTopic.header(topic.deadLetters(2).get(1),
				KafkaReceivedMessages.MESSAGE_ID_HEADER);
		assertThat(undecodable).startsWith(topic.name() + "-");
		String undecodableOrder = NewOrder.idForMessage(undecodable).toString();
		// Not selected, and after the last selected: it stays where it is.
		topic.sendDeadLetter(sentAt, "{\"not\": \"selected\"}", Map.of(KafkaReceivedMessages.MESSAGE_ID_HEADER,
				"not-selected", DeadLetterPublisher.FAILURE_KIND_HEADER, "undecodable"));

		assertThat(command("replay", "--ids=" + orderId + "," + undecodableOrder, "--orders.sink.replay.max-replays=1"))
			.isEqualTo(DeadLetterCommand.OK);
		await().atMost(Duration.ofSeconds(30))
			.until(() -> database.countOrders("order_id = '" + orderId + "' AND sender_user_id = '" + sender
					+ "' AND channel = 'LEGACY_QUEUE' AND created_at = '" + sentAt + "'") == 1);
		// The undecodable one failed again and is back, counted, right after the record
		// that was not selected (which was not appended again).
		await().atMost(Duration.ofSeconds(30)).until(() -> topic.deadLetterCount() == 4);
		ConsumerRecord<byte[], byte[]> back = topic.deadLetters(4).get(3);
		assertThat(KafkaTestTopic.header(back, "x-replay-count")).isEqualTo("1");
		assertThat(KafkaTestTopic.header(back, KafkaReceivedMessages.MESSAGE_ID_HEADER)).isEqualTo(undecodable);
		assertThat(KafkaTestTopic.header(back, DeadLetterPublisher.FAILURE_KIND_HEADER)).isEqualTo("undecodable");

		assertThat(command("replay", "--ids=" + undecodableOrder, "--orders.sink.replay.max-replays=1"))
			.isEqualTo(DeadLetterCommand.INCOMPLETE);
		// Kept at the cap: appended again; the commands still list it and the record not
		// selected.
		String listing = output("list");
		assertThat(listing).contains(undecodableOrder)
			.contains(NewOrder.idForMessage("not-selected").toString())
			.doesNotContain(orderId);
		assertThat(database.countOrders("order_id = '" + undecodableOrder + "'")).isZero();
		assertThat(database.countOrders("order_id = '" + orderId + "'")).isOne();
	}

	private static int command(String... args) {
		PrintStream ignored = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
		return DeadLetterCommand.run(arguments(args), ignored, ignored);
	}

	private static String output(String... args) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
		assertThat(DeadLetterCommand.run(arguments(args), print, print)).isEqualTo(DeadLetterCommand.OK);
		return out.toString(StandardCharsets.UTF_8);
	}

	private static String[] arguments(String... args) {
		return Stream.of(Stream.of(DeadLetterCommand.NAME), Stream.of(args),
				Stream.of("--orders.binder=kafka", "--orders.queue=" + topic.name(),
						"--orders.sink.dead-letter-queue=" + topic.deadLetterTopic()),
				TestKafka.shared().arguments().stream())
			.flatMap((stream) -> stream)
			.toArray(String[]::new);
	}

}
