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
	LEGACY_QUEUE,

	/**
	 * Copied from the legacy system's stored orders by the migration command, through a
	 * stream of {@code POST /orders} under the scope {@code orders:migrate}. Its
	 * {@code createdAt} and {@code updatedAt} are the legacy row's as stored, which the
	 * legacy consumer set to its own start time: not when the order was placed.
	 */
	LEGACY_MIGRATION

}
