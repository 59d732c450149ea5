package dev.orderpipeline.source.order;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import com.rabbitmq.client.ShutdownSignalException;
import dev.orderpipeline.contracts.OrderPlaced;
import dev.orderpipeline.contracts.OrderSignature;
import io.micrometer.context.ContextSnapshot;
import io.micrometer.context.ContextSnapshotFactory;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.amqp.rabbit.connection.AbstractConnectionFactory;
import org.springframework.amqp.rabbit.connection.Connection;
import org.springframework.amqp.rabbit.connection.ConnectionBlockedEvent;
import org.springframework.amqp.rabbit.connection.ConnectionListener;
import org.springframework.amqp.rabbit.connection.ConnectionUnblockedEvent;
import org.springframework.amqp.rabbit.connection.CorrelationData.Confirm;
import org.springframework.amqp.rabbit.connection.CorrelationData;
import org.springframework.amqp.support.AmqpHeaders;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.cloud.stream.function.StreamBridge;
import org.springframework.context.event.EventListener;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageHeaders;
import org.springframework.messaging.support.MessageBuilder;
import org.springframework.stereotype.Component;
import org.springframework.util.MimeTypeUtils;

/**
 * Publishes orders and completes only when the broker has confirmed them: acknowledged
 * and routed to a queue. The send runs off the event loop; the wait for the confirm does
 * not hold a thread.
 */
@Component
class OrderPublisher {

	private static final Log logger = LogFactory.getLog(OrderPublisher.class);

	private static final ContextSnapshotFactory SNAPSHOTS = ContextSnapshotFactory.builder().build();

	private final StreamBridge streamBridge;

	private final JsonMapper json;

	private final OrderSourceProperties properties;

	private final Semaphore inFlight;

	private final OrderMetrics metrics;

	private final AtomicBoolean brokerBlocked = new AtomicBoolean();

	private final SendBatcher sender;

	private final OrderSignature signature;

	OrderPublisher(StreamBridge streamBridge, JsonMapper json, OrderSourceProperties properties,
			ObjectProvider<AbstractConnectionFactory> connectionFactories, OrderMetrics metrics, SendBatcher sender,
			OrderSignature signature) {
		if (!signature.signs()) {
			throw new IllegalStateException("orders.signing.key-id is not set: order-source signs every message "
					+ "with that key (one of orders.signing.keys)");
		}
		this.signature = signature;
		this.metrics = metrics;
		this.streamBridge = streamBridge;
		this.json = json;
		this.properties = properties;
		this.inFlight = new Semaphore(properties.maxInFlight());
		this.sender = sender;
		connectionFactories.forEach((factory) -> factory.addConnectionListener(new BlockedStateReset()));
	}

	/**
	 * Publishes an order.
	 * @param order the order
	 * @return completes when the broker confirmed the order, or fails with
	 * {@link PublishFailedException}
	 */
	Mono<Void> publish(OrderPlaced order) {
		// The request's trace (in the Reactor context) is made current only where it is
		// needed: around the send, so the message carries it in traceparent, and around
		// failure logs. Automatic propagation at every operator cost more than the send.
		return Mono.deferContextual((context) -> confirmed(order, SNAPSHOTS.captureFrom(context)));
	}

	private Mono<Void> confirmed(OrderPlaced order, ContextSnapshot trace) {
		UUID orderId = order.orderId();
		if (this.brokerBlocked.get()) {
			return Mono.error(new PublishFailedException(orderId, PublishFailedException.Reason.BROKER_BLOCKED,
					"The broker is blocking publishers", null));
		}
		byte[] payload = this.json.writeValueAsBytes(order);
		if (!this.inFlight.tryAcquire()) {
			return Mono.error(new PublishFailedException(orderId, PublishFailedException.Reason.OVERLOADED,
					"Too many orders are waiting for the broker", null));
		}
		InFlight slot = new InFlight();
		long start = System.nanoTime();
		CorrelationData correlation = new CorrelationData(orderId.toString());
		Message<byte[]> message = MessageBuilder.withPayload(payload)
			.setHeader(MessageHeaders.CONTENT_TYPE, MimeTypeUtils.APPLICATION_JSON_VALUE)
			.setHeader(OrderSignature.HEADER, this.signature.sign(payload))
			.setHeader(AmqpHeaders.MESSAGE_ID, orderId.toString())
			.setHeader(AmqpHeaders.PUBLISH_CONFIRM_CORRELATION, correlation)
			.build();
		CompletableFuture<Boolean> send;
		CompletableFuture<Confirm> confirmed;
		try {
			send = this.sender
				.send(trace.wrap(() -> slot.send(() -> this.streamBridge.send(this.properties.binding(), message))));
			// The time limit counts from here, the queue for the sender's thread
			// included.
			confirmed = send
				.thenCompose((sent) -> Boolean.TRUE.equals(sent) ? correlation.getFuture()
						: CompletableFuture.failedFuture(new IllegalStateException("The binding refused the message")))
				.orTimeout(this.properties.confirmTimeout().toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (RuntimeException | Error ex) {
			slot.answered();
			throw ex;
		}
		return Mono.fromFuture(confirmed, false)
			// An order out of time, or whose client is gone, leaves the send queue before
			// it is answered, so it is not published after its answer.
			.doOnError((ex) -> send.cancel(false))
			.doOnCancel(() -> send.cancel(false))
			// A failure is answered off the thread that failed the future: the sender's
			// (which goes on sending; in an outage every order of a batch fails, each
			// logged) or the JDK's timer.
			.onErrorResume((ex) -> Mono.<Confirm>error(ex).publishOn(Schedulers.parallel()))
			// The answer is built on the thread that completes the confirm: the broker
			// connection's IO thread (Spring AMQP completes the future there; only the
			// confirm callbacks run on the factory's executor). Netty hands the write to
			// the request's event loop. Nothing downstream blocks; a hop to a scheduler
			// or to the event loop in between measured slower (with the blocking
			// client's reader thread).
			.<Void>handle((confirm, answer) -> {
				if (!confirm.ack()) {
					answer.error(new PublishFailedException(orderId, PublishFailedException.Reason.BROKER_NACK,
							"The broker refused the order", null));
				}
				else if (correlation.getReturned() != null) {
					answer.error(new PublishFailedException(orderId, PublishFailedException.Reason.UNROUTABLE,
							"The broker has no queue for the order", null));
				}
				else {
					this.metrics.confirmed(Duration.ofNanos(System.nanoTime() - start));
					answer.complete();
				}
			})
			.onErrorMap((ex) -> !(ex instanceof PublishFailedException), (ex) -> {
				try (ContextSnapshot.Scope scope = trace.setThreadLocals()) {
					return failure(orderId, ex);
				}
			})
			.doFinally((signal) -> slot.answered());
	}

	private static PublishFailedException failure(UUID orderId, Throwable ex) {
		if (ex instanceof RejectedExecutionException) {
			return new PublishFailedException(orderId, PublishFailedException.Reason.OVERLOADED,
					"Too many orders are waiting for the broker", ex);
		}
		if (ex instanceof TimeoutException) {
			logger.warn("No confirm for order " + orderId + " in time; it may still be stored");
			return new PublishFailedException(orderId, PublishFailedException.Reason.CONFIRM_TIMEOUT,
					"The broker did not confirm the order in time", ex);
		}
		logger.warn("Could not publish order " + orderId + ": " + ex);
		return new PublishFailedException(orderId, PublishFailedException.Reason.BROKER_UNAVAILABLE,
				"The broker could not be reached", ex);
	}

	/**
	 * A publish's hold on one of the {@link OrderSourceProperties#maxInFlight()} slots,
	 * kept until both the send has returned (it waits while the RabbitMQ client's write
	 * queue is full) and the client has its answer, so sends still stuck after a timeout
	 * keep counting. A send that has returned has only queued its frames: when the broker
	 * stops reading, orders answered 503 may still be published afterwards.
	 */
	private final class InFlight {

		private final AtomicInteger pending = new AtomicInteger(2);

		private final AtomicBoolean sendClaimed = new AtomicBoolean();

		Boolean send(Supplier<Boolean> send) {
			if (!this.sendClaimed.compareAndSet(false, true)) {
				return false;
			}
			try {
				return send.get();
			}
			finally {
				release();
			}
		}

		void answered() {
			if (this.sendClaimed.compareAndSet(false, true)) {
				release();
			}
			release();
		}

		private void release() {
			if (this.pending.decrementAndGet() == 0) {
				OrderPublisher.this.inFlight.release();
			}
		}

	}

	/**
	 * Forgets a block when the connection it was on is gone: the broker sends "unblocked"
	 * only on the connection it blocked.
	 */
	private final class BlockedStateReset implements ConnectionListener {

		@Override
		public void onCreate(Connection connection) {
			OrderPublisher.this.brokerBlocked.set(false);
		}

		@Override
		public void onShutDown(ShutdownSignalException signal) {
			OrderPublisher.this.brokerBlocked.set(false);
		}

	}

	@EventListener
	void onBlocked(ConnectionBlockedEvent event) {
		logger.warn("The broker blocked publishing: " + event.getReason());
		this.brokerBlocked.set(true);
	}

	@EventListener
	void onUnblocked(ConnectionUnblockedEvent event) {
		logger.info("The broker accepts publishing again");
		this.brokerBlocked.set(false);
	}

}
