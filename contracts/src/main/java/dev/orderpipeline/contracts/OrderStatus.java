package dev.orderpipeline.contracts;

/**
 * The lifecycle of a medication order. Every order starts {@link #PENDING}; the other
 * values are reached by later processing and are accepted on the wire so that producers
 * of any stage share one vocabulary.
 */
public enum OrderStatus {

	/** Placed and waiting for review. */
	PENDING,

	/** Reviewed and accepted by a pharmacist. */
	APPROVED,

	/** Reviewed and refused by a pharmacist. */
	REJECTED,

	/** Handed to delivery. */
	DISPATCHED,

	/** Received by the patient. */
	DELIVERED,

	/** Withdrawn before delivery. */
	CANCELLED

}
