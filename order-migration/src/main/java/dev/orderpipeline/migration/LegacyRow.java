package dev.orderpipeline.migration;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * A row of the legacy table as a line of a migration stream: what is missing is left out,
 * for order-source to name.
 *
 * @param idempotencyKey the row's id, as text
 * @param medicationId the medication
 * @param senderUserId the sender
 * @param status the legacy status list, or {@code null} for order-source's default
 * @param createdAt when the row was created
 * @param updatedAt when it last changed
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({ "idempotencyKey", "medicationId", "sender_userId", "status", "createdAt", "updatedAt" })
record LegacyRow(String idempotencyKey, String medicationId, @JsonProperty("sender_userId") String senderUserId,
		List<String> status, Instant createdAt, Instant updatedAt) {

	/**
	 * The row's id.
	 * @return its text
	 */
	String id() {
		return this.idempotencyKey;
	}

}
