package dev.orderpipeline.sink.store;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.orderpipeline.contracts.OrderChannel;
import dev.orderpipeline.contracts.OrderPlaced;
import dev.orderpipeline.contracts.OrderStatus;

import org.springframework.data.annotation.Id;
import org.springframework.data.relational.core.mapping.Table;

/**
 * A row of the {@code orders} table.
 *
 * @param orderId the order's id
 * @param medicationId the medication ordered
 * @param senderUserId the user who placed the order
 * @param status the order's status history, newest last
 * @param channel how the order entered the pipeline
 * @param createdAt when the order was accepted at intake
 * @param updatedAt when the order last changed
 * @param storedAt when the row was written
 * @param traceId the W3C trace id of the request that placed the order, if it had one
 * @param state where the order is in its lifecycle ({@code status} stays the list its
 * producer sent)
 * @param version the changes applied to it, plus one: its ETag, which a status change
 * names
 */
@Table("orders")
public record StoredOrder(@Id UUID orderId, String medicationId,
		@JsonProperty(OrderPlaced.SENDER_FIELD) String senderUserId, List<OrderStatus> status, OrderChannel channel,
		Instant createdAt, Instant updatedAt, Instant storedAt, String traceId, OrderStatus state, int version) {

	/**
	 * Whether this row holds the same order content as an event (its id aside).
	 * @param order the event
	 * @return {@code true} if medication, sender and status agree
	 */
	public boolean sameContentAs(OrderPlaced order) {
		return this.medicationId.equals(order.medicationId()) && this.senderUserId.equals(order.senderUserId())
				&& this.status.equals(order.status());
	}

}
