package dev.orderpipeline.source.rabbit;

import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

import com.rabbitmq.client.ShutdownSignalException;
import dev.orderpipeline.source.publishing.OrderBroker;
import dev.orderpipeline.source.publishing.PublishFailedException;
import dev.orderpipeline.source.publishing.SendBatcher;
import io.micrometer.context.ContextSnapshot;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.amqp.rabbit.connection.Connection;
import org.springframework.amqp.rabbit.connection.ConnectionBlockedEvent;
import org.springframework.amqp.rabbit.connection.ConnectionListener;
import org.springframework.amqp.rabbit.connection.ConnectionUnblockedEvent;
import org.springframework.amqp.rabbit.connection.CorrelationData;
import org.springframework.amqp.support.AmqpHeaders;
import org.springframework.cloud.stream.function.StreamBridge;
import org.springframework.context.event.EventListener;
import org.springframework.messaging.Message;
import org.springframework.messaging.support.MessageBuilder;

/**
 * Orders through the RabbitMQ binder with publisher confirms: each message carries its
 * {@link CorrelationData}, and the broker's confirm (acknowledged, and routed to a queue:
 * the binding publishes mandatory) is its acceptance. Sends go out from the
 * {@link SendBatcher}'s thread, never from the event loop. A memory or disk alarm that
 * blocks publishers is followed from the connection's events.
 */
class RabbitOrderBroker implements OrderBroker, ConnectionListener {

	private static final Log logger = LogFactory.getLog(RabbitOrderBroker.class);

	private final StreamBridge streamBridge;

	private final String binding;

	private final SendBatcher sender;

	private final AtomicBoolean blocked = new AtomicBoolean();

	RabbitOrderBroker(StreamBridge streamBridge, String binding, SendBatcher sender) {
		this.streamBridge = streamBridge;
		this.binding = binding;
		this.sender = sender;
	}

	@Override
	public Publication send(UUID orderId, MessageBuilder<byte[]> message, ContextSnapshot trace) {
		CorrelationData correlation = new CorrelationData(orderId.toString());
		Message<byte[]> confirmed = message.setHeader(AmqpHeaders.MESSAGE_ID, orderId.toString())
			.setHeader(AmqpHeaders.PUBLISH_CONFIRM_CORRELATION, correlation)
			.build();
		CompletableFuture<Boolean> handedOver = this.sender
			.send(trace.wrap(() -> this.streamBridge.send(this.binding, confirmed)));
		CompletableFuture<Void> accepted = handedOver
			.thenCompose((sent) -> Boolean.TRUE.equals(sent) ? correlation.getFuture()
					: CompletableFuture.failedFuture(new IllegalStateException("The binding refused the message")))
			// Completed by the connection's IO thread, which reads the confirms.
			.thenApply((confirm) -> {
				if (!confirm.ack()) {
					throw new PublishFailedException(orderId, PublishFailedException.Reason.BROKER_NACK,
							"The broker refused the order", null);
				}
				if (correlation.getReturned() != null) {
					throw new PublishFailedException(orderId, PublishFailedException.Reason.UNROUTABLE,
							"The broker has no queue for the order", null);
				}
				return null;
			});
		return new Publication(handedOver, accepted, () -> handedOver.cancel(false));
	}

	@Override
	public boolean refusesPublishers() {
		return this.blocked.get();
	}

	@EventListener
	void onBlocked(ConnectionBlockedEvent event) {
		logger.warn("The broker blocked publishing: " + event.getReason());
		this.blocked.set(true);
	}

	@EventListener
	void onUnblocked(ConnectionUnblockedEvent event) {
		logger.info("The broker accepts publishing again");
		this.blocked.set(false);
	}

	/**
	 * Forgets a block when the connection it was on is gone: the broker sends "unblocked"
	 * only on the connection it blocked.
	 */
	@Override
	public void onCreate(Connection connection) {
		this.blocked.set(false);
	}

	@Override
	public void onShutDown(ShutdownSignalException signal) {
		this.blocked.set(false);
	}

}
