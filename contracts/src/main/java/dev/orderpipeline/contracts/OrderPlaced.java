package dev.orderpipeline.contracts;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;
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
 * @param createdAt when the order was accepted; on a migrated order
 * ({@link OrderChannel#LEGACY_MIGRATION}), the legacy row's time as stored
 * @param channel how the order entered the pipeline
 * @param updatedAt when a migrated order last changed in the legacy system, as stored
 * there; {@code null} (absent on the wire) for every other order, whose last change is
 * its placing
 */
public record OrderPlaced(UUID orderId, String medicationId, @JsonProperty("sender_userId") String senderUserId,
		List<OrderStatus> status, Instant createdAt, OrderChannel channel,
		@JsonInclude(JsonInclude.Include.NON_NULL) Instant updatedAt) {

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

	/**
	 * An order placed in the pipeline: its last change is its placing.
	 * @param orderId the order's identity
	 * @param medicationId the medication ordered
	 * @param senderUserId the user who placed the order
	 * @param status the order's status history, newest last
	 * @param createdAt when the order was accepted
	 * @param channel how the order entered the pipeline
	 */
	public OrderPlaced(UUID orderId, String medicationId, String senderUserId, List<OrderStatus> status,
			Instant createdAt, OrderChannel channel) {
		this(orderId, medicationId, senderUserId, status, createdAt, channel, null);
	}

	/**
	 * When the order last changed: {@link #updatedAt()} when given, else its creation.
	 * @return the time
	 */
	public Instant lastChangedAt() {
		return (this.updatedAt != null) ? this.updatedAt : this.createdAt;
	}

}
