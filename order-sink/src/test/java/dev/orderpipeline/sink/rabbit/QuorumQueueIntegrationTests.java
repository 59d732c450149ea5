package dev.orderpipeline.sink.rabbit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeoutException;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.orderpipeline.testsupport.TcpProxy;
import dev.orderpipeline.testsupport.TestDatabase;
import dev.orderpipeline.testsupport.TestTokens;
import dev.orderpipeline.testsupport.servers.TestPostgresql;
import dev.orderpipeline.testsupport.servers.TestRabbitMq;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The sink on quorum queues, as a RabbitMQ cluster runs it: a virtual host of the test
 * run's node whose default queue type is {@code quorum} (the documented way, since the
 * queue cannot change type and legacy publishers declare it without arguments). The
 * legacy declaration still succeeds and makes a quorum queue, orders are stored, a poison
 * message reaches the dead-letter queue, and a database outage dead-letters nothing, even
 * with a delivery limit that allows no requeue at all.
 */
@DirtiesContext
@SpringBootTest(properties = { "server.port=0", "management.server.port=0", "orders.sink.retry-max-interval=1s",
		"spring.r2dbc.pool.max-acquire-time=2s", "spring.r2dbc.pool.max-create-connection-time=2s" })
class QuorumQueueIntegrationTests {

	private static final TestRabbitMq rabbitMq = TestRabbitMq.shared();

	private static final String VHOST = "orders-quorum-" + UUID.randomUUID().toString().substring(0, 8);

	private static final String QUEUE = "create_order_queue";

	private static final TestDatabase database = TestDatabase.shared();

	private static final TcpProxy proxy = startProxy();

	static {
		rabbitMq.rabbitmqctl("add_vhost", VHOST, "--default-queue-type", "quorum");
		rabbitMq.rabbitmqctl("set_permissions", "-p", VHOST, rabbitMq.username(), ".*", ".*", ".*");
		// The strictest delivery limit: a message requeued even once is dead-lettered by
		// the broker, so a requeue during an outage would show.
		rabbitMq.rabbitmqctl("set_policy", "-p", VHOST, "--apply-to", "queues", "orders", "^" + QUEUE + "$",
				"{\"delivery-limit\": 0, \"dead-letter-exchange\": \"" + QUEUE + ".dlx\"}");
		// A legacy publisher's declaration, before the sink's.
		withChannel((channel) -> channel.queueDeclare(QUEUE, true, false, false, null));
	}

	@Autowired
	private ApplicationAvailability availability;

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		TestTokens.shared().register(registry);
		rabbitMq.register(registry);
		registry.add("spring.rabbitmq.virtual-host", () -> VHOST);
		database.register(registry, proxy.port());
	}

	@AfterAll
	static void cleanUp() throws IOException {
		proxy.close();
		rabbitMq.rabbitmqctl("delete_vhost", VHOST);
	}

	@Test
	void legacyDeclarationsSucceedOnTheQuorumQueueAndOrdersAndPoisonGoWhereTheyBelong() {
		assertThat(rabbitMq.rabbitmqctl("list_queues", "-p", VHOST, "name", "type")).contains(QUEUE + "\tquorum")
			.contains(QUEUE + ".dlq\tquorum");
		String sender = "user-" + UUID.randomUUID();
		publishLegacy("{\"medicationId\": \"m\", \"sender_userId\": \"" + sender + "\"}");
		publishLegacy("{\"medicationId\": \"m\", \"sender_userId\": [\"poison\"]}");
		await().atMost(Duration.ofSeconds(30))
			.until(() -> database.countOrders("sender_user_id = '" + sender + "'") == 1);
		await().atMost(Duration.ofSeconds(30)).until(() -> depth(QUEUE + ".dlq") == 1);
	}

	@Test
	void aDatabaseOutageDeadLettersNothingAndUsesNoDeliveryAttempts() throws Exception {
		long deadLettersBefore = depth(QUEUE + ".dlq");
		String sender = "user-" + UUID.randomUUID();
		proxy.cut();
		try {
			for (int i = 0; i < 3; i++) {
				publishLegacy("{\"medicationId\": \"m\", \"sender_userId\": \"" + sender + "\"}");
			}
			await().atMost(Duration.ofSeconds(30))
				.until(() -> this.availability.getReadinessState() == ReadinessState.REFUSING_TRAFFIC);
			// Several retries (every second at most), each on the batch held: none is a
			// requeue, which the delivery limit would dead-letter.
			await().during(Duration.ofSeconds(4))
				.atMost(Duration.ofSeconds(10))
				.until(() -> depth(QUEUE + ".dlq") == deadLettersBefore);
		}
		finally {
			proxy.restore();
		}
		await().atMost(Duration.ofSeconds(30))
			.until(() -> database.countOrders("sender_user_id = '" + sender + "'") == 3);
		assertThat(depth(QUEUE + ".dlq")).isEqualTo(deadLettersBefore);
	}

	private static void publishLegacy(String body) {
		withChannel((channel) -> {
			channel.queueDeclare(QUEUE, true, false, false, null);
			channel.confirmSelect();
			channel.basicPublish("", QUEUE, new AMQP.BasicProperties.Builder().deliveryMode(2).build(),
					body.getBytes(StandardCharsets.UTF_8));
			channel.waitForConfirmsOrDie(5000);
			return null;
		});
	}

	private static long depth(String queue) {
		return withChannel((channel) -> channel.queueDeclarePassive(queue).getMessageCount());
	}

	private static <T> T withChannel(ChannelAction<T> action) {
		ConnectionFactory factory = rabbitMq.clientConnectionFactory();
		factory.setVirtualHost(VHOST);
		try (Connection connection = factory.newConnection(); Channel channel = connection.createChannel()) {
			return action.run(channel);
		}
		catch (IOException | TimeoutException | InterruptedException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static TcpProxy startProxy() {
		try {
			return new TcpProxy(TestPostgresql.shared().port());
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	@FunctionalInterface
	private interface ChannelAction<T> {

		T run(Channel channel) throws IOException, TimeoutException, InterruptedException;

	}

}
