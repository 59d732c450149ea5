package dev.orderpipeline.bench;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import dev.orderpipeline.contracts.OrderSignature;
import dev.orderpipeline.testsupport.TestDatabase;
import dev.orderpipeline.testsupport.TestSigning;
import dev.orderpipeline.testsupport.servers.TestRabbitMq;
import org.awaitility.Awaitility;

/**
 * A backlog of orders on the queue while no sink runs, then the time the sink takes to
 * store all of it.
 */
final class Backlog {

	private Backlog() {
	}

	/**
	 * Publishes orders as order-source does, with confirms, to the default exchange.
	 * @param queue the queue
	 * @param count how many
	 * @param sender the sender of every order (tags the backlog)
	 */
	static void publish(String queue, int count, String sender) throws Exception {
		try (com.rabbitmq.client.Connection connection = TestRabbitMq.shared()
			.clientConnectionFactory()
			.newConnection(); Channel channel = connection.createChannel()) {
			channel.confirmSelect();
			String createdAt = Instant.now().toString();
			for (int i = 0; i < count; i++) {
				String id = UUID.randomUUID().toString();
				String body = "{\"orderId\":\"" + id + "\",\"medicationId\":\"med-backlog\",\"sender_userId\":\""
						+ sender + "\",\"status\":[\"PENDING\"],\"createdAt\":\"" + createdAt
						+ "\",\"channel\":\"API\"}";
				byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
				channel.basicPublish("", queue,
						new AMQP.BasicProperties.Builder().deliveryMode(2)
							.contentType("application/json")
							.messageId(id)
							.headers(Map.of(OrderSignature.HEADER, TestSigning.sign(bytes)))
							.build(),
						bytes);
				if (i % 2000 == 1999) {
					channel.waitForConfirmsOrDie(30_000);
				}
			}
			channel.waitForConfirmsOrDie(30_000);
		}
	}

	/**
	 * Waits until a backlog is stored and measures its drain.
	 * @param database the run's database
	 * @param sender the backlog's sender
	 * @param count its size
	 * @return orders per second from the first row stored to the last
	 */
	static double awaitDrained(TestDatabase database, String sender, int count) {
		Awaitility.await("backlog of " + count + " stored")
			.atMost(Duration.ofMinutes(10))
			.pollInterval(Duration.ofMillis(500))
			.until(() -> database.countOrders("sender_user_id = '" + sender + "'") >= count);
		try (Connection connection = database.connect(); Statement statement = connection.createStatement()) {
			ResultSet result = statement
				.executeQuery("SELECT extract(epoch FROM max(stored_at) - min(stored_at)) FROM orders "
						+ "WHERE sender_user_id = '" + sender + "'");
			result.next();
			return count / Math.max(result.getDouble(1), 0.001);
		}
		catch (java.sql.SQLException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
