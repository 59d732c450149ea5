package dev.orderpipeline.testsupport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeoutException;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.orderpipeline.testsupport.servers.TestRabbitMq;

/**
 * Publishes the way the legacy Python publisher did: the queue declared durable without
 * arguments, the default exchange, persistent, no content type; with a confirm, so the
 * test knows the broker has the message.
 */
public final class LegacyPublisher {

	private LegacyPublisher() {
	}

	/**
	 * Publishes one message.
	 * @param queue the queue
	 * @param body the message body
	 * @param messageId the AMQP message id, or {@code null} for none
	 */
	public static void publish(String queue, String body, String messageId) {
		publish(queue, body, messageId, null);
	}

	/**
	 * Publishes one message with headers: a forged signature, or order-source's own.
	 * @param queue the queue
	 * @param body the message body
	 * @param messageId the AMQP message id, or {@code null} for none
	 * @param headers the message's headers, or {@code null} for none
	 */
	public static void publish(String queue, String body, String messageId, Map<String, Object> headers) {
		try (Connection connection = TestRabbitMq.shared().clientConnectionFactory().newConnection();
				Channel channel = connection.createChannel()) {
			channel.queueDeclare(queue, true, false, false, null);
			channel.confirmSelect();
			channel.basicPublish("", queue,
					new AMQP.BasicProperties.Builder().deliveryMode(2).messageId(messageId).headers(headers).build(),
					body.getBytes(StandardCharsets.UTF_8));
			channel.waitForConfirmsOrDie(5000);
		}
		catch (IOException | TimeoutException | InterruptedException ex) {
			throw new IllegalStateException("Could not publish to " + queue, ex);
		}
	}

}
