package dev.orderpipeline.sink.deadletters;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import dev.orderpipeline.contracts.NewOrder;
import dev.orderpipeline.contracts.OrderSignature;
import dev.orderpipeline.testsupport.TestSigning;
import dev.orderpipeline.testsupport.servers.TestRabbitMq;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dead-letter commands against the test run's RabbitMQ node, each test on queues of
 * its own, run in-process as {@code java -jar order-sink.jar dead-letters ...} runs them.
 */
class DeadLetterCommandIntegrationTests {

	private static final Instant DEAD_LETTERED_AT = Instant.parse("2026-11-20T09:30:15Z");

	private static final Instant SENT_AT = Instant.parse("2026-11-20T09:30:00Z");

	private static Connection connection;

	private Channel channel;

	private String queue;

	private String deadLetterQueue;

	@BeforeAll
	static void connect() throws IOException, TimeoutException {
		connection = TestRabbitMq.shared().clientConnectionFactory().newConnection("dead-letter command tests");
	}

	@AfterAll
	static void disconnect() throws IOException {
		connection.close();
	}

	@BeforeEach
	void declareQueues() throws IOException {
		this.queue = "dl_it_" + UUID.randomUUID().toString().substring(0, 8);
		this.deadLetterQueue = this.queue + ".dlq";
		this.channel = connection.createChannel();
		this.channel.confirmSelect();
		this.channel.queueDeclare(this.queue, true, false, false, null);
		this.channel.queueDeclare(this.deadLetterQueue, true, false, false, null);
	}

	@AfterEach
	void deleteQueues() throws IOException, TimeoutException {
		try (Channel cleanup = connection.createChannel()) {
			cleanup.queueDelete(this.queue);
			cleanup.queueDelete(this.deadLetterQueue);
		}
		if (this.channel.isOpen()) {
			this.channel.close();
		}
	}

	@Test
	void listsDeadLettersPageByPageWithTheirCausesButNeverTheirBodies() throws Exception {
		String first = deadLetter(UUID.randomUUID().toString(), "undecodable", "body is not valid JSON", null);
		String second = deadLetter(UUID.randomUUID().toString(), "refused", "SQLState 22021: invalid byte", 1);
		String third = deadLetter(UUID.randomUUID().toString(), "undecodable", "status[0] has an invalid value", 2);

		Result page1 = run("dead-letters", "list", "--size=2");
		assertThat(page1.status()).isEqualTo(DeadLetterCommand.OK);
		assertThat(page1.err()).isEmpty();
		assertThat(page1.out()).contains(this.deadLetterQueue + ": 3 dead-lettered messages, page 1 of 2 (2 per page)")
			.contains("#1  order " + first + "  undecodable  dead-lettered 2026-11-20T09:30:15Z  replayed 0 of 3")
			.contains("cause: body is not valid JSON")
			.contains("#2  order " + second + "  refused  dead-lettered 2026-11-20T09:30:15Z  replayed 1 of 3")
			.contains("cause: SQLState 22021: invalid byte")
			.contains("Next page: dead-letters list --page=2 --size=2")
			.doesNotContain(third)
			.doesNotContain("med-secret");

		Result page2 = run("dead-letters", "list", "--page=2", "--size=2");
		assertThat(page2.status()).isEqualTo(DeadLetterCommand.OK);
		assertThat(page2.out()).contains("3 dead-lettered messages, page 2 of 2")
			.contains("#3  order " + third + "  undecodable")
			.contains("replayed 2 of 3")
			.contains("cause: status[0] has an invalid value")
			.doesNotContain(first)
			.doesNotContain(second)
			.doesNotContain("Next page")
			.doesNotContain("med-secret");

		assertThat(messageIds(this.deadLetterQueue)).containsExactly(first, second, third);
		assertThat(depth(this.queue)).isZero();
	}

	@Test
	void listsAnEmptyPageBeyondTheLastAndAnEmptyQueue() throws Exception {
		Result empty = run("dead-letters", "list");
		assertThat(empty.status()).isEqualTo(DeadLetterCommand.OK);
		assertThat(empty.out()).contains(this.deadLetterQueue + ": no dead-lettered messages");

		String only = deadLetter(UUID.randomUUID().toString(), "refused", "SQLState 23514", null);
		Result beyond = run("dead-letters", "list", "--page=3", "--size=5");
		assertThat(beyond.status()).isEqualTo(DeadLetterCommand.OK);
		assertThat(beyond.out()).contains("1 dead-lettered message, page 3 of 1")
			.contains("(page 3 is empty)")
			.doesNotContain(only);
		assertThat(messageIds(this.deadLetterQueue)).containsExactly(only);
	}

	@Test
	void listsMessagesWithoutIdOrCauseAndTheTimeTheirPublisherSet() throws Exception {
		publish(this.deadLetterQueue,
				new AMQP.BasicProperties.Builder().deliveryMode(2)
					.timestamp(Date.from(SENT_AT))
					.headers(Map.of("x-exception-message", "line one\nline two\u001b[31m"))
					.build(),
				body());
		Result result = run("dead-letters", "list");
		assertThat(result.status()).isEqualTo(DeadLetterCommand.OK);
		assertThat(result.out()).contains("#1  order (no message id)  (unknown)  sent 2026-11-20T09:30:00Z")
			.contains("cause: line one line two [31m")
			.doesNotContain("\u001b");
	}

	@Test
	void replaysTheSelectedOrdersWithTheirPropertiesAndAReplayCountAndKeepsTheOthers() throws Exception {
		String first = deadLetter(UUID.randomUUID().toString(), "refused", "SQLState 23514", null);
		String kept = deadLetter(UUID.randomUUID().toString(), "refused", "SQLState 23514", null);
		String third = deadLetter(UUID.randomUUID().toString(), "undecodable", "not an order", 1);

		Result result = run("dead-letters", "replay", "--ids=" + first + "," + third);
		assertThat(result.status()).isEqualTo(DeadLetterCommand.OK);
		assertThat(result.err()).isEmpty();
		assertThat(result.out()).contains("replayed  #1  order " + first + "  (replay 1 of 3)")
			.contains("replayed  #3  order " + third + "  (replay 2 of 3)")
			.contains("Replayed 2, kept 1 (not selected), refused 0 (cap reached), unknown ids: none")
			.doesNotContain("med-secret");

		List<GetResponse> replayed = take(this.queue);
		assertThat(replayed).extracting((response) -> response.getProps().getMessageId()).containsExactly(first, third);
		GetResponse firstReplayed = replayed.get(0);
		AMQP.BasicProperties properties = firstReplayed.getProps();
		assertThat(new String(firstReplayed.getBody(), StandardCharsets.UTF_8)).isEqualTo(body());
		assertThat(properties.getContentType()).isEqualTo("application/json");
		assertThat(properties.getTimestamp()).isEqualTo(Date.from(SENT_AT));
		assertThat(properties.getDeliveryMode()).isEqualTo(2);
		assertThat(properties.getHeaders()).containsEntry("x-replay-count", 1)
			.containsKey("traceparent")
			.doesNotContainKeys(DeadLetter.FAILURE_HEADERS.toArray(String[]::new));
		assertThat(properties.getHeaders().get("traceparent")).hasToString(traceparent(first));
		assertThat(replayed.get(1).getProps().getHeaders()).containsEntry("x-replay-count", 2);
		assertThat(messageIds(this.deadLetterQueue)).containsExactly(kept);
	}

	@Test
	void aLegacyMessageIsListedByTheIdItsOrderWouldHaveAndReplayedByThatOrItsMessageId() throws Exception {
		// A legacy publisher's message id names the order only through the sink's
		// derivation, never as it is, even when it looks like an order id. A message of a
		// version that did not sign has the same shape: its message id is its order id.
		String legacy = UUID.randomUUID().toString();
		String unsigned = UUID.randomUUID().toString();
		for (String messageId : List.of(legacy, unsigned)) {
			publish(this.deadLetterQueue,
					new AMQP.BasicProperties.Builder().deliveryMode(2)
						.messageId(messageId)
						.headers(Map.of("x-failure-kind", "refused", "x-exception-message", "SQLState 23514"))
						.build(),
					body());
		}
		String orderId = NewOrder.idForMessage(legacy).toString();

		assertThat(run("dead-letters", "list").out()).contains("#1  order " + orderId).doesNotContain(legacy);
		Result result = run("dead-letters", "replay", "--ids=" + orderId + "," + unsigned);
		assertThat(result.status()).isEqualTo(DeadLetterCommand.OK);
		assertThat(take(this.queue)).extracting((response) -> response.getProps().getMessageId())
			.containsExactly(legacy, unsigned);
		assertThat(run("dead-letters", "replay", "--ids=" + UUID.randomUUID()).status())
			.isEqualTo(DeadLetterCommand.INCOMPLETE);
	}

	@Test
	void replaysEveryDeadLetterWithAll() throws Exception {
		String first = deadLetter(UUID.randomUUID().toString(), "refused", "SQLState 23514", 2);
		publish(this.deadLetterQueue, new AMQP.BasicProperties.Builder().deliveryMode(2).build(), body());
		String third = deadLetter(UUID.randomUUID().toString(), "undecodable", "not an order", null);

		Result result = run("dead-letters", "replay", "--all");
		assertThat(result.status()).isEqualTo(DeadLetterCommand.OK);
		assertThat(result.out()).contains("replayed  #2  order (no message id)  (replay 1 of 3)")
			.contains("Replayed 3, kept 0 (not selected), refused 0 (cap reached), unknown ids: none");
		List<GetResponse> replayed = take(this.queue);
		assertThat(replayed).extracting((response) -> response.getProps().getMessageId())
			.containsExactly(first, null, third);
		assertThat(replayed).extracting((response) -> response.getProps().getHeaders().get("x-replay-count"))
			.containsExactly(3, 1, 1);
		assertThat(depth(this.deadLetterQueue)).isZero();
	}

	@Test
	void refusesAMessageThatReachedTheReplayCapAndKeepsIt() throws Exception {
		String capped = deadLetter(UUID.randomUUID().toString(), "refused", "SQLState 23514", 3);
		String fresh = deadLetter(UUID.randomUUID().toString(), "refused", "SQLState 23514", null);

		Result result = run("dead-letters", "replay", "--all");
		assertThat(result.status()).isEqualTo(DeadLetterCommand.INCOMPLETE);
		assertThat(result.out()).contains("refused   #1  order " + capped + "  (replayed 3 times, the cap; it stays)")
			.contains("replayed  #2  order " + fresh)
			.contains("Replayed 1, kept 0 (not selected), refused 1 (cap reached), unknown ids: none");
		assertThat(result.err()).isEqualTo("dead-letters: 1 refused (cap reached), 0 unknown ids\n");
		assertThat(messageIds(this.deadLetterQueue)).containsExactly(capped);
		assertThat(messageIds(this.queue)).containsExactly(fresh);

		Result raisedCap = run("dead-letters", "replay", "--ids=" + capped, "--orders.sink.replay.max-replays=5");
		assertThat(raisedCap.status()).isEqualTo(DeadLetterCommand.OK);
		assertThat(raisedCap.out()).contains("(replay 4 of 5)");
		assertThat(depth(this.deadLetterQueue)).isZero();
	}

	@Test
	void reportsIdsThatAreNotDeadLetteredAndMovesNothingForThem() throws Exception {
		String present = deadLetter(UUID.randomUUID().toString(), "refused", "SQLState 23514", null);
		String missing = UUID.randomUUID().toString();

		Result result = run("dead-letters", "replay", "--ids=" + missing);
		assertThat(result.status()).isEqualTo(DeadLetterCommand.INCOMPLETE);
		assertThat(result.out())
			.contains("Replayed 0, kept 1 (not selected), refused 0 (cap reached), unknown ids: " + missing);
		assertThat(result.err()).isEqualTo("dead-letters: 0 refused (cap reached), 1 unknown id\n");
		assertThat(messageIds(this.deadLetterQueue)).containsExactly(present);
		assertThat(depth(this.queue)).isZero();
	}

	@Test
	void neverConsumesTheOrderQueue() throws Exception {
		publish(this.queue, new AMQP.BasicProperties.Builder().messageId("waiting-1").build(), body());
		publish(this.queue, new AMQP.BasicProperties.Builder().messageId("waiting-2").build(), body());
		String deadLetter = deadLetter(UUID.randomUUID().toString(), "refused", "SQLState 23514", null);

		assertThat(run("dead-letters", "list").status()).isEqualTo(DeadLetterCommand.OK);
		assertThat(run("dead-letters", "replay", "--ids=" + deadLetter).status()).isEqualTo(DeadLetterCommand.OK);

		List<GetResponse> waiting = take(this.queue);
		assertThat(waiting).extracting((response) -> response.getProps().getMessageId())
			.containsExactly("waiting-1", "waiting-2", deadLetter);
		// Never delivered before: no consumer received and returned them.
		assertThat(waiting).extracting((response) -> response.getEnvelope().isRedeliver())
			.containsExactly(false, false, false);
		try (ConfigurableApplicationContext context = DeadLetterCommand
			.start(new String[] { "--orders.queue=" + this.queue })) {
			assertThat(context.getBeanNamesForType(org.springframework.cloud.stream.binding.BindingService.class))
				.isEmpty();
			assertThat(context
				.getBeanNamesForType(org.springframework.amqp.rabbit.listener.MessageListenerContainer.class))
				.isEmpty();
			assertThat(context.getBeanNamesForType(io.r2dbc.spi.ConnectionFactory.class)).isEmpty();
			assertThat(context.getBeanNamesForType(org.flywaydb.core.Flyway.class)).isEmpty();
			assertThat(context)
				.isNotInstanceOf(org.springframework.boot.web.server.context.WebServerApplicationContext.class);
		}
	}

	@Test
	void stopsAndKeepsTheMessageWhenTheOrderQueueIsMissing() throws Exception {
		String deadLetter = deadLetter(UUID.randomUUID().toString(), "refused", "SQLState 23514", null);
		this.channel.queueDelete(this.queue);

		Result result = run("dead-letters", "replay", "--all");
		assertThat(result.status()).isEqualTo(DeadLetterCommand.FAILED);
		assertThat(result.err()).hasLineCount(1)
			.startsWith("dead-letters: Replay stopped after 0 replayed: the message at position 1 (order " + deadLetter
					+ ") could not be routed: no queue " + this.queue)
			.contains("it stays in " + this.deadLetterQueue);
		assertThat(messageIds(this.deadLetterQueue)).containsExactly(deadLetter);
		assertThat(take(this.deadLetterQueue).get(0).getProps().getHeaders()).doesNotContainKey("x-replay-count");
	}

	@Test
	void stopsAndKeepsTheMessageWhenTheBrokerRefusesTheReplay() throws Exception {
		this.channel.queueDelete(this.queue);
		this.channel.queueDeclare(this.queue, true, false, false,
				Map.of("x-max-length", 0, "x-overflow", "reject-publish"));
		String refusedByBroker = deadLetter(UUID.randomUUID().toString(), "refused", "SQLState 23514", null);
		String after = deadLetter(UUID.randomUUID().toString(), "refused", "SQLState 23514", null);

		Result result = run("dead-letters", "replay", "--all");
		assertThat(result.status()).isEqualTo(DeadLetterCommand.FAILED);
		assertThat(result.err()).hasLineCount(1)
			.contains("(order " + refusedByBroker + ") was refused by the broker (nack); it stays in "
					+ this.deadLetterQueue);
		assertThat(messageIds(this.deadLetterQueue)).containsExactly(refusedByBroker, after);
	}

	@Test
	void failsOnOneLineWhenTheDeadLetterQueueIsMissing() throws Exception {
		this.channel.queueDelete(this.deadLetterQueue);
		Result result = run("dead-letters", "list");
		assertThat(result.status()).isEqualTo(DeadLetterCommand.FAILED);
		assertThat(result.err()).hasLineCount(1).contains("no queue '" + this.deadLetterQueue + "'");
		assertThat(result.out()).isEmpty();
	}

	@Test
	void failsOnOneLineWhenTheBrokerIsUnreachable() throws Exception {
		Result result = run("dead-letters", "list", "--spring.rabbitmq.port=1");
		assertThat(result.status()).isEqualTo(DeadLetterCommand.FAILED);
		assertThat(result.err()).hasLineCount(1).startsWith("dead-letters: Cannot connect to RabbitMQ at 127.0.0.1:1");
	}

	@Test
	void failsOnOneLineWhenTheBrokerRefusesTheUser() throws Exception {
		Result result = run("dead-letters", "list", "--spring.rabbitmq.password=wrong-" + UUID.randomUUID());
		assertThat(result.status()).isEqualTo(DeadLetterCommand.FAILED);
		assertThat(result.err()).hasLineCount(1)
			.startsWith("dead-letters: Cannot connect to RabbitMQ at 127.0.0.1:" + TestRabbitMq.shared().port())
			.contains("ACCESS_REFUSED");
		assertThat(result.out()).isEmpty();
	}

	@Test
	void failsOnOneLineForANegativeReplayCap() throws Exception {
		String deadLetter = deadLetter(UUID.randomUUID().toString(), "refused", "SQLState 23514", null);
		Result result = run("dead-letters", "replay", "--all", "--orders.sink.replay.max-replays=-1");
		assertThat(result.status()).isEqualTo(DeadLetterCommand.FAILED);
		assertThat(result.err()).isEqualTo("dead-letters: orders.sink.replay.max-replays must be 0 or more, not -1\n");
		assertThat(messageIds(this.deadLetterQueue)).containsExactly(deadLetter);
	}

	@Test
	void refusesWrongArgumentsOnOneLineWithoutTouchingTheBroker() throws Exception {
		String deadLetter = deadLetter(UUID.randomUUID().toString(), "refused", "SQLState 23514", null);
		Map<List<String>, String> wrong = Map.of(List.of("dead-letters"), "say which command: list or replay",
				List.of("dead-letters", "purge"), "unknown command 'purge'", List.of("dead-letters", "replay"),
				"replay needs either --all or --ids", List.of("dead-letters", "replay", "--all", "--ids=a"),
				"replay needs either --all or --ids", List.of("dead-letters", "replay", "--ids="),
				"--ids needs at least one order id", List.of("dead-letters", "list", "--size=0"),
				"--size must be a number from 1 to 1000, not '0'", List.of("dead-letters", "list", "--page=x"),
				"--page must be a number from 1", List.of("dead-letters", "list", "--all"),
				"unknown argument '--all' for list", List.of("dead-letters", "replay", "--all", "--page=2"),
				"unknown argument '--page=2' for replay");
		for (Map.Entry<List<String>, String> entry : wrong.entrySet()) {
			Result result = run(entry.getKey().toArray(String[]::new));
			assertThat(result.status()).as(entry.getKey().toString()).isEqualTo(DeadLetterCommand.USAGE);
			assertThat(result.err()).as(entry.getKey().toString())
				.hasLineCount(1)
				.startsWith("dead-letters: ")
				.contains(entry.getValue());
			assertThat(result.out()).isEmpty();
		}
		assertThat(messageIds(this.deadLetterQueue)).containsExactly(deadLetter);
	}

	@Test
	void printsItsUsageOnHelp() {
		Result result = run("dead-letters", "help");
		assertThat(result.status()).isEqualTo(DeadLetterCommand.OK);
		assertThat(result.out()).contains("list [--page=N] [--size=N]")
			.contains("replay --ids=ID[,ID...]")
			.contains("replay --all")
			.contains("orders.sink.replay.max-replays");
	}

	private Result run(String... args) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		ByteArrayOutputStream err = new ByteArrayOutputStream();
		// The test run's broker, unless the test names another: an option given twice
		// would have both values.
		Stream<String> broker = TestRabbitMq.shared()
			.arguments()
			.stream()
			.filter((argument) -> Stream.of(args)
				.noneMatch((given) -> given.startsWith(argument.substring(0, argument.indexOf('=') + 1))));
		String[] arguments = Stream.of(Stream.of(args), broker, Stream.of("--orders.queue=" + this.queue))
			.flatMap((stream) -> stream)
			.toArray(String[]::new);
		int status = DeadLetterCommand.run(arguments, new PrintStream(out, true, StandardCharsets.UTF_8),
				new PrintStream(err, true, StandardCharsets.UTF_8));
		return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
	}

	/**
	 * Puts a message of order-source (signed, its message id the order id) on the
	 * dead-letter queue as the sink does.
	 */
	private String deadLetter(String orderId, String kind, String cause, Integer replays) throws Exception {
		Map<String, Object> headers = new HashMap<>();
		headers.put(OrderSignature.HEADER, TestSigning.sign(body().getBytes(StandardCharsets.UTF_8)));
		headers.put("x-exception-message", cause);
		headers.put("x-failure-kind", kind);
		headers.put("x-original-exchange", this.queue);
		headers.put("x-original-routingKey", this.queue);
		headers.put("x-original-queue", this.queue);
		headers.put("timestamp", DEAD_LETTERED_AT.toEpochMilli());
		headers.put("traceparent", traceparent(orderId));
		if (replays != null) {
			headers.put("x-replay-count", replays);
		}
		publish(this.deadLetterQueue,
				new AMQP.BasicProperties.Builder().deliveryMode(2)
					.contentType("application/json")
					.messageId(orderId)
					.timestamp(Date.from(SENT_AT))
					.headers(headers)
					.build(),
				body());
		return orderId;
	}

	private static String traceparent(String orderId) {
		return "00-" + orderId.replace("-", "") + "-00f067aa0ba902b7-01";
	}

	/** An order body with health data that must never be printed. */
	private static String body() {
		return "{\"medicationId\": \"med-secret-antiretroviral\", \"sender_userId\": \"user-1\"}";
	}

	private void publish(String queue, AMQP.BasicProperties properties, String body) throws Exception {
		this.channel.basicPublish("", queue, true, properties, body.getBytes(StandardCharsets.UTF_8));
		this.channel.waitForConfirmsOrDie(5000);
	}

	private long depth(String queue) throws IOException {
		return this.channel.queueDeclarePassive(queue).getMessageCount();
	}

	/** The message ids on a queue, in order, leaving the messages there. */
	private List<String> messageIds(String queue) throws Exception {
		List<String> ids = new ArrayList<>();
		try (Channel peek = connection.createChannel()) {
			for (GetResponse response = peek.basicGet(queue, false); response != null; response = peek.basicGet(queue,
					false)) {
				ids.add(response.getProps().getMessageId());
			}
		}
		return ids;
	}

	/** Takes every message off a queue. */
	private List<GetResponse> take(String queue) throws IOException {
		List<GetResponse> messages = new ArrayList<>();
		for (GetResponse response = this.channel.basicGet(queue, true); response != null; response = this.channel
			.basicGet(queue, true)) {
			messages.add(response);
		}
		return messages;
	}

	private record Result(int status, String out, String err) {

	}

}
