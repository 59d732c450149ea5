package dev.orderpipeline.contracts;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * An order as its sender gives it, in the legacy system's format: the body of
 * {@code POST /orders} and of the legacy {@code POST /queue/neworder}, and what legacy
 * publishers put on {@code create_order_queue} (the message {@code LegacyOrder} of the
 * AsyncAPI document). It carries no order id and no time; {@link #toEvent} supplies them.
 *
 * @param medicationId the medication ordered
 * @param senderUserId the user who placed the order
 * @param status the order's status history; {@code ["PENDING"]} when absent
 */
public record NewOrder(String medicationId, @JsonProperty(OrderPlaced.SENDER_FIELD) String senderUserId,
		List<OrderStatus> status) {

	public NewOrder {
		OrderConstraints.requireIdentifier("medicationId", medicationId);
		OrderConstraints.requireIdentifier(OrderPlaced.SENDER_FIELD, senderUserId);
		status = OrderConstraints.requireStatus("status", (status != null) ? status : OrderConstraints.DEFAULT_STATUS);
	}

	/**
	 * The id of a legacy order published with a message id: a name-based UUID of the
	 * message id, in a namespace of its own, so that a redelivered message names the same
	 * order, and so that a legacy publisher cannot choose an order's id (a message id
	 * that is itself a UUID is not taken as it is).
	 * @param messageId the message id the publisher set
	 * @return the order's id
	 */
	public static UUID idForMessage(String messageId) {
		return UUID.nameUUIDFromBytes(("order-pipeline/message-id\n" + messageId).getBytes(StandardCharsets.UTF_8));
	}

	/**
	 * The id of an order migrated from a row of the legacy system's table: a name-based
	 * UUID of the row's id, in a namespace of its own, so that a row migrated again (a
	 * migration restarted) names the same order and is stored once.
	 * @param rowId the legacy row's id, as text
	 * @return the order's id
	 */
	public static UUID idForLegacyRow(String rowId) {
		return UUID.nameUUIDFromBytes(("order-pipeline/legacy-row\n" + rowId).getBytes(StandardCharsets.UTF_8));
	}

	/**
	 * The event for this order.
	 * @param orderId the id to give it
	 * @param createdAt when it was accepted
	 * @param channel how it came in
	 * @return the event
	 */
	public OrderPlaced toEvent(UUID orderId, Instant createdAt, OrderChannel channel) {
		return new OrderPlaced(orderId, this.medicationId, this.senderUserId, this.status, createdAt, channel);
	}

	/**
	 * The event for this order migrated from a row of the legacy system's table, with the
	 * row's times as stored there.
	 * @param rowId the legacy row's id, as text
	 * @param createdAt the row's creation time
	 * @param updatedAt the row's last change
	 * @return the event, on the channel {@link OrderChannel#LEGACY_MIGRATION}
	 */
	public OrderPlaced toMigratedEvent(String rowId, Instant createdAt, Instant updatedAt) {
		return new OrderPlaced(idForLegacyRow(rowId), this.medicationId, this.senderUserId, this.status, createdAt,
				OrderChannel.LEGACY_MIGRATION, updatedAt);
	}

}
