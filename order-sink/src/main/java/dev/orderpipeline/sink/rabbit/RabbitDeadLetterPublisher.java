package dev.orderpipeline.sink.rabbit;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import dev.orderpipeline.sink.OrderSinkProperties;
import dev.orderpipeline.sink.deadletters.DeadLetterPublisher;

import org.springframework.amqp.AmqpException;
import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.connection.CorrelationData;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.amqp.support.SimpleAmqpHeaderMapper;
import org.springframework.messaging.MessageHeaders;

/**
 * Republishes a message to the dead-letter queue through the default exchange, with its
 * original headers and the cause, and waits for the broker's confirm.
 */
class RabbitDeadLetterPublisher implements DeadLetterPublisher {

	private static final int MAX_HEADER_LENGTH = 1000;

	private final RabbitTemplate rabbit;

	private final AmqpAdmin admin;

	private final OrderSinkProperties properties;

	private final SimpleAmqpHeaderMapper headerMapper = new SimpleAmqpHeaderMapper();

	RabbitDeadLetterPublisher(RabbitTemplate rabbit, AmqpAdmin admin, OrderSinkProperties properties) {
		this.rabbit = rabbit;
		this.admin = admin;
		this.properties = properties;
	}

	@Override
	public void publish(byte[] body, Map<String, Object> headers, Failure failure) {
		MessageProperties messageProperties = new MessageProperties();
		this.headerMapper.fromHeaders(new MessageHeaders(headers), messageProperties);
		messageProperties.setDeliveryMode(MessageDeliveryMode.PERSISTENT);
		messageProperties.setHeader(EXCEPTION_MESSAGE_HEADER, truncate(failure.message()));
		messageProperties.setHeader(FAILURE_KIND_HEADER, failure.kind());
		messageProperties.setHeader(ORIGINAL_EXCHANGE_HEADER, headers.get("amqp_receivedExchange"));
		messageProperties.setHeader(ORIGINAL_ROUTING_KEY_HEADER, headers.get("amqp_receivedRoutingKey"));
		messageProperties.setHeader(ORIGINAL_QUEUE_HEADER, headers.get("amqp_consumerQueue"));
		CorrelationData correlation = new CorrelationData(UUID.randomUUID().toString());
		this.rabbit.send("", this.properties.deadLetterQueue(), new Message(body, messageProperties), correlation);
		CorrelationData.Confirm confirm;
		try {
			confirm = correlation.getFuture().get(this.properties.confirmTimeout().toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new DeadLetterFailedException("Interrupted while waiting for the confirm", ex);
		}
		catch (Exception ex) {
			throw new DeadLetterFailedException("No confirm for the dead-lettered message", ex);
		}
		if (!confirm.ack()) {
			throw new DeadLetterFailedException("The broker refused the dead-lettered message: " + confirm.reason(),
					null);
		}
		if (correlation.getReturned() != null) {
			if (this.admin instanceof RabbitAdmin rabbitAdmin) {
				rabbitAdmin.initialize();
			}
			throw new DeadLetterFailedException("No queue " + this.properties.deadLetterQueue()
					+ " for the dead-lettered message; declared it again before the retry", null);
		}
	}

	private static String truncate(String text) {
		return (text == null || text.length() <= MAX_HEADER_LENGTH) ? text : text.substring(0, MAX_HEADER_LENGTH);
	}

	static class DeadLetterFailedException extends AmqpException {

		DeadLetterFailedException(String message, Throwable cause) {
			super(message, cause);
		}

	}

}
