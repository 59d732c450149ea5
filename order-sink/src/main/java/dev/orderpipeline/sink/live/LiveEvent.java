package dev.orderpipeline.sink.live;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonProperty;

import dev.orderpipeline.contracts.OrderChannel;
import dev.orderpipeline.contracts.OrderPlaced;
import dev.orderpipeline.contracts.OrderStatus;
import dev.orderpipeline.sink.lifecycle.StatusHistory;
import io.r2dbc.spi.Readable;

/**
 * What a stream tells: an order stored, or a status change decided (applied or refused),
 * at its position.
 *
 * @param position where it stands among all events
 * @param orderId the order
 * @param sender the order's sender; {@code null} for a change refused because its order
 * never arrived
 * @param order the order as stored, for an order stored
 * @param change the decision, for a status change
 */
public record LiveEvent(EventPosition position, UUID orderId, String sender, Order order, StatusHistory.Entry change) {

	/** The event of a stored order. */
	public static final String ORDER_STORED = "order-stored";

	/** The event of a decided status change. */
	public static final String STATUS_CHANGED = "status-changed";

	/**
	 * The name of this event on the wire.
	 * @return {@value #ORDER_STORED} or {@value #STATUS_CHANGED}
	 */
	public String type() {
		return (this.order != null) ? ORDER_STORED : STATUS_CHANGED;
	}

	/**
	 * When it was written: the order stored, or the change decided.
	 * @return the time
	 */
	public Instant writtenAt() {
		return (this.order != null) ? this.order.storedAt() : this.change.decidedAt();
	}

	/**
	 * An order as it was stored: {@code PENDING} at version 1, its lifecycle then told by
	 * its status changes.
	 *
	 * @param orderId the order's id
	 * @param medicationId the medication
	 * @param senderUserId the sender
	 * @param status the legacy status list, as sent
	 * @param channel how it came in
	 * @param createdAt when it was placed
	 * @param storedAt when it was stored
	 * @param traceId the W3C trace it came in, if any
	 */
	public record Order(UUID orderId, String medicationId, @JsonProperty(OrderPlaced.SENDER_FIELD) String senderUserId,
			List<OrderStatus> status, OrderChannel channel, Instant createdAt, Instant storedAt, String traceId) {

		static Order of(Readable row) {
			return new Order(row.get("order_id", UUID.class), row.get("medication_id", String.class),
					row.get("sender_user_id", String.class),
					Arrays.stream(row.get("status", String[].class)).map(OrderStatus::valueOf).toList(),
					OrderChannel.valueOf(row.get("channel", String.class)), row.get("created_at", Instant.class),
					row.get("stored_at", Instant.class), row.get("trace_id", String.class));
		}

	}

}
