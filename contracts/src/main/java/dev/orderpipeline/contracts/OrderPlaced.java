package dev.orderpipeline.contracts;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The event of an order accepted by the pipeline: what the source publishes and the sink
 * stores. Field names follow the legacy JSON ({@code sender_userId}), so a legacy
 * consumer reading these messages finds the fields it knows.
 *
 * @param orderId the order's identity, assigned once at intake (the sink stores each id
 * once)
 * @param medicationId the medication ordered
 * @param senderUserId the user who placed the order
 * @param status the order's status history, newest last
 * @param createdAt when the order was accepted
 * @param channel how the order entered the pipeline
 */
public record OrderPlaced(UUID orderId, String medicationId, @JsonProperty("sender_userId") String senderUserId,
		List<OrderStatus> status, Instant createdAt, OrderChannel channel) {

	/** The name of the {@link #senderUserId()} field on the wire. */
	public static final String SENDER_FIELD = "sender_userId";

	public OrderPlaced {
		OrderConstraints.requirePresent("orderId", orderId);
		OrderConstraints.requireIdentifier("medicationId", medicationId);
		OrderConstraints.requireIdentifier(SENDER_FIELD, senderUserId);
		status = OrderConstraints.requireStatus("status", status);
		OrderConstraints.requirePresent("createdAt", createdAt);
		OrderConstraints.requirePresent("channel", channel);
	}

}
