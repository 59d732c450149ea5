package dev.orderpipeline.contracts;

/**
 * The way an order entered the pipeline, recorded with every stored order.
 */
public enum OrderChannel {

	/** {@code POST /orders}, the current HTTP API. */
	API,

	/** {@code POST /queue/neworder}, the legacy HTTP route kept for existing clients. */
	LEGACY_HTTP,

	/**
	 * Published straight to {@code create_order_queue} by a legacy publisher (default
	 * exchange, no order id).
	 */
	LEGACY_QUEUE

}
