package dev.orderpipeline.contracts;

import java.nio.charset.StandardCharsets;

/**
 * The kinds of message on the orders destination. Both kinds share it, so an order and
 * the changes to it travel the same way (on Kafka, the same partition: records are keyed
 * by the order id); the {@link #TYPE_HEADER} header tells them apart. A message without
 * it is an order, as every legacy message is.
 */
public final class OrderEvents {

	/**
	 * The message header naming the event: absent or {@link #ORDER_PLACED} for orders.
	 */
	public static final String TYPE_HEADER = "order_event";

	/** An {@link OrderPlaced}. */
	public static final String ORDER_PLACED = "order-placed";

	/** A {@link StatusChangeRequested}. */
	public static final String STATUS_CHANGE_REQUESTED = "status-change-requested";

	private OrderEvents() {
	}

	/**
	 * The event a message carries, from its type header.
	 * @param type the header's value as received ({@code String} or {@code byte[]}), or
	 * {@code null}
	 * @return whether the message is a status change request
	 */
	public static boolean isStatusChange(Object type) {
		String value = (type instanceof byte[] bytes) ? new String(bytes, StandardCharsets.US_ASCII)
				: (type != null) ? type.toString() : null;
		return STATUS_CHANGE_REQUESTED.equals(value);
	}

}
