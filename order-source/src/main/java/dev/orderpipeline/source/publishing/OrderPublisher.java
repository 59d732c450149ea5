package dev.orderpipeline.source.publishing;

import java.util.UUID;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.orderpipeline.contracts.OrderEvents;
import dev.orderpipeline.contracts.OrderPlaced;
import dev.orderpipeline.contracts.OrderSignature;
import dev.orderpipeline.contracts.StatusChangeRequested;
import dev.orderpipeline.source.OrderSourceProperties;
import io.micrometer.context.ContextSnapshot;
import io.micrometer.context.ContextSnapshotFactory;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.messaging.MessageHeaders;
import org.springframework.messaging.support.MessageBuilder;
import org.springframework.stereotype.Component;
import org.springframework.util.MimeTypeUtils;

/**
 * Publishes orders and completes only when the broker has durably accepted them. Writes
 * and signs the message, holds the in-flight limit and the time limit, and turns every
 * failure into a {@link PublishFailedException}; the {@link OrderBroker} of the binder in
 * use sends it. Nothing here blocks a thread.
 */
@Component
public class OrderPublisher {

	private static final Log logger = LogFactory.getLog(OrderPublisher.class);

	private static final ContextSnapshotFactory SNAPSHOTS = ContextSnapshotFactory.builder().build();

	private final OrderBroker broker;

	private final JsonMapper json;

	private final OrderSignature signature;

	private final InFlightLimit inFlight;

	private final long confirmTimeoutMillis;

	private final Counter confirmed;

	private final Timer confirmLatency;

	public OrderPublisher(OrderBroker broker, JsonMapper json, OrderSourceProperties properties,
			OrderSignature signature, MeterRegistry meters) {
		if (!signature.signs()) {
			throw new IllegalStateException("orders.signing.key-id is not set: order-source signs every message "
					+ "with that key (one of orders.signing.keys)");
		}
		this.broker = broker;
		this.json = json;
		this.signature = signature;
		this.inFlight = new InFlightLimit(properties.maxInFlight());
		this.confirmTimeoutMillis = properties.confirmTimeout().toMillis();
		this.confirmed = Counter.builder("orders.confirmed")
			.description("Orders the broker confirmed (answered 2xx)")
			.register(meters);
		this.confirmLatency = Timer.builder("orders.confirm")
			.description("Time from publishing an order to the broker's confirm")
			.publishPercentileHistogram()
			.register(meters);
	}

	/**
	 * Publishes an order.
	 * @param order the order
	 * @return completes when the broker durably accepted the order, or fails with
	 * {@link PublishFailedException}
	 */
	public Mono<Void> publish(OrderPlaced order) {
		// The request's trace (in the Reactor context) is made current only where it is
		// needed: around the send, so the message carries it in traceparent, and around
		// failure logs. Automatic propagation at every operator cost more than the send.
		return Mono
			.deferContextual((context) -> accepted(order.orderId(), order, null, SNAPSHOTS.captureFrom(context)));
	}

	/**
	 * Publishes a status change request, on the same destination and with the same
	 * promises as an order: its order's id is the message's key.
	 * @param change the request
	 * @return completes when the broker durably accepted it, or fails with
	 * {@link PublishFailedException} (naming its order)
	 */
	public Mono<Void> publish(StatusChangeRequested change) {
		return Mono.deferContextual((context) -> accepted(change.orderId(), change, OrderEvents.STATUS_CHANGE_REQUESTED,
				SNAPSHOTS.captureFrom(context)));
	}

	/**
	 * Publishes an event.
	 * @param orderId the order the event is about: the message's key, and what a failure
	 * names
	 * @param event the event
	 * @param type the event's type header, {@code null} for an order (as legacy messages)
	 * @param trace the request's trace
	 */
	private Mono<Void> accepted(UUID orderId, Object event, String type, ContextSnapshot trace) {
		if (this.broker.refusesPublishers()) {
			return Mono.error(new PublishFailedException(orderId, PublishFailedException.Reason.BROKER_BLOCKED,
					"The broker is blocking publishers", null));
		}
		byte[] payload = this.json.writeValueAsBytes(event);
		MessageBuilder<byte[]> message = MessageBuilder.withPayload(payload)
			.setHeader(MessageHeaders.CONTENT_TYPE, MimeTypeUtils.APPLICATION_JSON_VALUE)
			.setHeader(OrderSignature.HEADER, this.signature.sign(payload));
		if (type != null) {
			message.setHeader(OrderEvents.TYPE_HEADER, type);
		}
		InFlightLimit.Place place = this.inFlight.tryTake();
		if (place == null) {
			return Mono.error(new PublishFailedException(orderId, PublishFailedException.Reason.OVERLOADED,
					"Too many orders are waiting for the broker", null));
		}
		long start = System.nanoTime();
		OrderBroker.Publication publication;
		try {
			publication = this.broker.send(orderId, message, trace);
			publication.sendOver().whenComplete((sent, ex) -> place.sendOver());
		}
		catch (RuntimeException | Error ex) {
			place.sendOver();
			place.answered();
			throw ex;
		}
		// The time limit counts from here, the wait for the broker's client included.
		// Mono.fromFuture hands on the cause of a CompletionException, so a refusal the
		// adapter threw in a dependent stage arrives as itself.
		return Mono
			.fromFuture(publication.accepted().orTimeout(this.confirmTimeoutMillis, TimeUnit.MILLISECONDS), false)
			// An order out of time is withdrawn if it was not sent yet, so it is not
			// published after its answer.
			.doOnError((ex) -> publication.withdraw().run())
			// A failure is answered off the thread that failed the future: the adapter's
			// sender (which goes on sending; in an outage every order of a batch fails,
			// each logged), the broker client's IO thread (a refusal) or the JDK's timer.
			.onErrorResume((ex) -> Mono.<Void>error(ex).publishOn(Schedulers.parallel()))
			// An acceptance is answered on the thread that completes the future: the
			// broker client's IO thread. Netty hands the write to the request's event
			// loop. Nothing downstream blocks; a hop to a scheduler or to the event loop
			// in between measured slower.
			.doOnSuccess((done) -> {
				this.confirmed.increment();
				this.confirmLatency.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
			})
			.onErrorMap((ex) -> !(ex instanceof PublishFailedException), (ex) -> {
				try (ContextSnapshot.Scope scope = trace.setThreadLocals()) {
					return failure(orderId, ex);
				}
			})
			.doFinally((signal) -> {
				// So is the order of a client gone: once the wait above is cancelled, so
				// that the withdrawal is not answered to nobody.
				if (signal == SignalType.CANCEL) {
					publication.withdraw().run();
				}
				place.answered();
			});
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

}
