package dev.orderpipeline.source.intake;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.UUID;

import dev.orderpipeline.contracts.NewOrder;
import dev.orderpipeline.contracts.OrderChannel;
import dev.orderpipeline.contracts.OrderPlaced;
import dev.orderpipeline.source.publishing.OrderPublisher;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;

/**
 * The intake's rules, whatever the route: an order is placed in the caller's own name,
 * within the sender's rate limit, under the id its {@code Idempotency-Key} determines and
 * at the time it arrived; then it is published.
 */
@Component
public class OrderIntake {

	private final OrderPublisher publisher;

	private final SenderRateLimiter rateLimiter;

	private final OrderMetrics metrics;

	private final Clock clock;

	OrderIntake(OrderPublisher publisher, SenderRateLimiter rateLimiter, OrderMetrics metrics, Clock clock) {
		this.publisher = publisher;
		this.rateLimiter = rateLimiter;
		this.metrics = metrics;
		this.clock = clock;
	}

	/**
	 * Places an order.
	 * @param order the order as the client gave it, valid
	 * @param caller the authenticated caller's name; empty for an anonymous legacy client
	 * @param idempotencyKey the client's {@code Idempotency-Key}, or {@code null}
	 * @param channel the route it came by
	 * @return the order as published, once the broker durably accepted it; fails with
	 * {@link SenderMismatchException}, {@link RateLimitedException},
	 * {@link InvalidOrderRequestException} (the key) or
	 * {@link dev.orderpipeline.source.publishing.PublishFailedException}
	 */
	public Mono<OrderPlaced> place(NewOrder order, Optional<String> caller, String idempotencyKey,
			OrderChannel channel) {
		return place(order, caller, idempotencyKey, channel, Allowance.SENDER);
	}

	/**
	 * Places an order, taking it from the given allowance of its sender.
	 * @param order the order as the client gave it, valid
	 * @param caller the authenticated caller's name; empty for an anonymous legacy client
	 * @param idempotencyKey the client's idempotency key, or {@code null}
	 * @param channel the route it came by
	 * @param allowance which of the sender's allowances the order counts against (an
	 * anonymous order always counts against that of anonymous orders)
	 * @return as {@link #place(NewOrder, Optional, String, OrderChannel)}
	 */
	public Mono<OrderPlaced> place(NewOrder order, Optional<String> caller, String idempotencyKey, OrderChannel channel,
			Allowance allowance) {
		OrderPlaced placed;
		try {
			placed = admit(order, caller, idempotencyKey, channel, allowance);
		}
		catch (RuntimeException ex) {
			return Mono.error(ex);
		}
		return this.publisher.publish(placed).thenReturn(placed);
	}

	/**
	 * Places an order migrated from a row of the legacy system's table: in any sender's
	 * name, under the id the row's id determines (so the row migrated again is stored
	 * once), with the row's times, on the channel {@link OrderChannel#LEGACY_MIGRATION}.
	 * The caller must hold the scope {@code orders:migrate}; the order counts against the
	 * caller's bulk allowance, not the sender's.
	 * @param order the order as the legacy row holds it, valid
	 * @param caller the migrating caller's name
	 * @param rowId the legacy row's id
	 * @param createdAt the row's creation time
	 * @param updatedAt the row's last change, or {@code null} for its creation time
	 * @return the order as published, once the broker durably accepted it; fails with
	 * {@link RateLimitedException} or
	 * {@link dev.orderpipeline.source.publishing.PublishFailedException}
	 */
	public Mono<OrderPlaced> migrate(NewOrder order, String caller, String rowId, Instant createdAt,
			Instant updatedAt) {
		OrderPlaced placed;
		try {
			this.rateLimiter.acquireBulk(caller);
			// The store keeps microseconds.
			Instant created = createdAt.truncatedTo(ChronoUnit.MICROS);
			Instant updated = (updatedAt != null) ? updatedAt.truncatedTo(ChronoUnit.MICROS) : created;
			placed = order.toMigratedEvent(rowId, created, updated);
			this.metrics.accepted(OrderChannel.LEGACY_MIGRATION);
		}
		catch (RuntimeException ex) {
			return Mono.error(ex);
		}
		return this.publisher.publish(placed).thenReturn(placed);
	}

	private OrderPlaced admit(NewOrder order, Optional<String> caller, String idempotencyKey, OrderChannel channel,
			Allowance allowance) {
		UUID orderId;
		if (caller.isPresent()) {
			if (!caller.get().equals(order.senderUserId())) {
				throw new SenderMismatchException();
			}
			if (allowance == Allowance.BULK) {
				this.rateLimiter.acquireBulk(order.senderUserId());
			}
			else {
				this.rateLimiter.acquire(order.senderUserId());
			}
			orderId = OrderIds.forRequest(idempotencyKey, order.senderUserId());
		}
		else {
			// Anyone may name any sender here: an anonymous order takes neither an id nor
			// an allowance of the sender's own, so its key is not honoured.
			this.rateLimiter.acquireAnonymous(order.senderUserId());
			orderId = OrderIds.forRequest(null, order.senderUserId());
		}
		Instant now = this.clock.instant().truncatedTo(ChronoUnit.MICROS);
		this.metrics.accepted(channel);
		return order.toEvent(orderId, now, channel);
	}

	/**
	 * The allowances of orders a sender has ({@code orders.source.rate-limit}).
	 */
	public enum Allowance {

		/** The sender's own: every single order. */
		SENDER,

		/** The larger one of streams whose token has the scope {@code orders:bulk}. */
		BULK

	}

}
