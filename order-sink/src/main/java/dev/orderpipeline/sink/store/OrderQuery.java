package dev.orderpipeline.sink.store;

import java.time.Instant;
import java.util.UUID;

import dev.orderpipeline.contracts.OrderChannel;
import dev.orderpipeline.contracts.OrderStatus;

/**
 * One page of a sender's orders, newest first.
 *
 * @param sender whose orders
 * @param status only orders at this status of their lifecycle, or {@code null} for any
 * @param channel only orders that came in through this channel, or {@code null} for any
 * @param since only orders created at or after this instant, or {@code null} for any
 * @param after the page starts after this position (exclusive), or {@code null} for the
 * first page
 * @param limit the most orders on the page
 */
public record OrderQuery(String sender, OrderStatus status, OrderChannel channel, Instant since, Position after,
		int limit) {

	/**
	 * A place in the order of a sender's orders: when the order was created, and its id
	 * to tell apart orders created at the same instant.
	 *
	 * @param createdAt the order's creation time
	 * @param orderId the order's id
	 */
	public record Position(Instant createdAt, UUID orderId) {

		/**
		 * The position of a stored order.
		 * @param order the order
		 * @return its position
		 */
		public static Position of(StoredOrder order) {
			return new Position(order.createdAt(), order.orderId());
		}

	}

}
