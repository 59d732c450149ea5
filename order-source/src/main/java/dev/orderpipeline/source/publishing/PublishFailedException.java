package dev.orderpipeline.source.publishing;

import java.util.UUID;

/**
 * An order the broker did not confirm. The order may still arrive (after a confirm
 * timeout, say), so the answer carries its id and a retry with the same
 * {@code Idempotency-Key} stores it at most once.
 */
public class PublishFailedException extends RuntimeException {

	private final UUID orderId;

	private final Reason reason;

	public PublishFailedException(UUID orderId, Reason reason, String detail, Throwable cause) {
		super(detail, cause);
		this.orderId = orderId;
		this.reason = reason;
	}

	public UUID getOrderId() {
		return this.orderId;
	}

	public Reason getReason() {
		return this.reason;
	}

	/**
	 * Why the broker did not confirm an order; reported in the problem's {@code reason}.
	 */
	public enum Reason {

		/** The broker could not be reached or the send failed. */
		BROKER_UNAVAILABLE,

		/** The broker refused the message (negative acknowledgement). */
		BROKER_NACK,

		/** The broker found no queue for the message. */
		UNROUTABLE,

		/** No confirm came within the configured timeout; the order may still land. */
		CONFIRM_TIMEOUT,

		/** The broker is blocking publishers (a memory or disk alarm). */
		BROKER_BLOCKED,

		/** Too many publishes are waiting for their confirm. */
		OVERLOADED

	}

}
