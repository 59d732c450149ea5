package dev.orderpipeline.sink.consuming;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

import dev.orderpipeline.contracts.OrderEvents;
import dev.orderpipeline.contracts.OrderPlaced;
import dev.orderpipeline.contracts.StatusChangeRequested;
import dev.orderpipeline.sink.OrderSinkProperties;
import dev.orderpipeline.sink.deadletters.DeadLetterPublisher;
import dev.orderpipeline.sink.lifecycle.StatusChanges;
import dev.orderpipeline.sink.store.OrderStore.StoreResult;
import dev.orderpipeline.sink.store.OrderStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.messaging.Message;

/**
 * The sink function: receives a batch of raw messages, stores every order of it in one
 * statement, then decides its status changes (each in a transaction of its own), and
 * returns only when the batch is settled, so the binder acknowledges the batch only after
 * the commits.
 * <p>
 * Each message is decoded on its own: one that is not an order, or that the database
 * refuses, is dead-lettered with its cause while the rest of its batch is stored. A
 * transient failure (the database or the broker unreachable) is retried with backoff for
 * as long as it lasts, holding the batch unacknowledged and reporting the service not
 * ready meanwhile; nothing is dead-lettered for an outage.
 */
class OrderBatchConsumer implements Consumer<Message<List<byte[]>>> {

	private static final Log logger = LogFactory.getLog(OrderBatchConsumer.class);

	private final InboundOrderDecoder decoder;

	private final ReceivedMessages messages;

	private final OrderStore store;

	private final StatusChanges changes;

	private final DeadLetterPublisher deadLetters;

	private final OrderSinkProperties properties;

	private final long maxMessageSize;

	private final OutageRetry retry;

	private final SinkMetrics metrics;

	private final MessageTracing tracing;

	OrderBatchConsumer(InboundOrderDecoder decoder, ReceivedMessages messages, OrderStore store, StatusChanges changes,
			DeadLetterPublisher deadLetters, OrderSinkProperties properties, ApplicationEventPublisher events,
			MeterRegistry meterRegistry, MessageTracing tracing) {
		this.tracing = tracing;
		this.decoder = decoder;
		this.messages = messages;
		this.store = store;
		this.changes = changes;
		this.deadLetters = deadLetters;
		this.properties = properties;
		this.maxMessageSize = properties.maxMessageSize().toBytes();
		this.retry = new OutageRetry(properties, events);
		this.metrics = new SinkMetrics(meterRegistry);
	}

	@Override
	public void accept(Message<List<byte[]>> batch) {
		List<byte[]> bodies = batch.getPayload();
		List<Map<String, Object>> headers = this.messages.headers(batch);
		if (logger.isDebugEnabled()) {
			logger.debug("Received a batch of " + bodies.size());
		}
		List<Inbound> orders = new ArrayList<>(bodies.size());
		List<Change> changes = new ArrayList<>();
		List<Rejected> rejected = new ArrayList<>();
		for (int i = 0; i < bodies.size(); i++) {
			Map<String, Object> messageHeaders = headers.get(i);
			Span span = this.tracing.start(messageHeaders);
			if (bodies.get(i).length > this.maxMessageSize) {
				rejected.add(new Rejected(
						bodies.get(i), messageHeaders, DeadLetterPublisher.Failure.oversized("body of "
								+ bodies.get(i).length + " bytes, more than the " + this.maxMessageSize + " allowed"),
						span));
				continue;
			}
			try {
				if (OrderEvents.isStatusChange(messageHeaders.get(OrderEvents.TYPE_HEADER))) {
					changes.add(new Change(bodies.get(i), messageHeaders,
							this.decoder.decodeChange(bodies.get(i), messageHeaders), span));
					continue;
				}
				OrderPlaced order = this.decoder.decode(bodies.get(i), messageHeaders);
				orders.add(new Inbound(bodies.get(i), messageHeaders,
						new OrderStore.Row(order, MessageTracing.traceId(span, messageHeaders)), span));
			}
			catch (UndecodableOrderException ex) {
				rejected.add(new Rejected(bodies.get(i), messageHeaders,
						(ex instanceof UnverifiedOrderException)
								? DeadLetterPublisher.Failure.unverified(ex.getMessage())
								: DeadLetterPublisher.Failure.undecodable(ex.getMessage()),
						span));
			}
		}
		try {
			if (!orders.isEmpty()) {
				store(orders, rejected);
				// Changes kept aside until these orders arrived.
				List<UUID> ids = orders.stream().map((order) -> order.row().order().orderId()).toList();
				try {
					this.retry.retrying("deciding waiting status changes",
							() -> this.changes.released(ids).block(this.properties.writeTimeout()));
				}
				catch (OutageRetry.PermanentFailureException ex) {
					// The orders are stored; the changes waiting for them are decided by
					// the
					// next sweep.
					logger.warn("Deciding the status changes waiting for a batch's orders failed: " + ex.getMessage());
				}
			}
			// After the orders of the same batch: a change rarely comes with its order,
			// but
			// it may.
			for (Change change : changes) {
				try {
					this.retry.retrying("deciding a status change",
							() -> this.changes.decide(change.request()).block(this.properties.writeTimeout()));
					change.span().end();
				}
				catch (OutageRetry.PermanentFailureException refused) {
					rejected.add(new Rejected(change.body(), change.headers(),
							DeadLetterPublisher.Failure.refused(refused.getMessage()), change.span()));
				}
			}
			for (Rejected message : rejected) {
				try (Tracer.SpanInScope scope = this.tracing.inScope(message.span())) {
					logger.warn("Dead-lettering a message (" + message.failure().kind() + "): "
							+ message.failure().message());
					this.retry.retrying("dead-lettering", () -> {
						this.deadLetters.publish(message.body(), message.headers(), message.failure());
						return null;
					});
				}
				message.span().error(new IllegalArgumentException(message.failure().message())).end();
				this.metrics.deadLettered(message.failure().kind());
			}
		}
		catch (RuntimeException ex) {
			// The batch goes back on the queue (a shutdown during an outage): its spans
			// end
			// here; those already ended stay as they were.
			orders.forEach((order) -> order.span().error(ex).end());
			changes.forEach((change) -> change.span().error(ex).end());
			rejected.forEach((message) -> message.span().error(ex).end());
			throw ex;
		}
		this.metrics.batch(bodies.size());
	}

	private void store(List<Inbound> orders, List<Rejected> rejected) {
		List<OrderStore.Row> rows = orders.stream().map(Inbound::row).toList();
		List<OrderPlaced> events = rows.stream().map(OrderStore.Row::order).toList();
		try {
			this.metrics
				.stored(this.retry.retrying("storing a batch", () -> this.metrics.timeWrite(() -> write(rows))));
			this.metrics.committed(events);
			orders.forEach((order) -> order.span().end());
		}
		catch (OutageRetry.PermanentFailureException ex) {
			logger.warn("A batch of " + orders.size() + " was refused (" + ex.getMessage()
					+ "); storing its orders one by one");
			for (Inbound order : orders) {
				try {
					this.metrics.stored(this.retry.retrying("storing an order", () -> write(List.of(order.row()))));
					this.metrics.committed(List.of(order.row().order()));
					order.span().end();
				}
				catch (OutageRetry.PermanentFailureException refused) {
					rejected.add(new Rejected(order.body(), order.headers(),
							DeadLetterPublisher.Failure.refused(refused.getMessage()), order.span()));
				}
			}
		}
	}

	private StoreResult write(List<OrderStore.Row> rows) {
		return this.store.storeRows(rows).block(this.properties.writeTimeout());
	}

	/**
	 * Ends any retry in progress when the application stops.
	 */
	@EventListener(ContextClosedEvent.class)
	void stop() {
		this.retry.stop();
	}

	private record Inbound(byte[] body, Map<String, Object> headers, OrderStore.Row row, Span span) {
	}

	private record Change(byte[] body, Map<String, Object> headers, StatusChangeRequested request, Span span) {
	}

	private record Rejected(byte[] body, Map<String, Object> headers, DeadLetterPublisher.Failure failure, Span span) {
	}

}
