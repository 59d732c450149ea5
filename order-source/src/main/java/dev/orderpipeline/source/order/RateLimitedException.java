package dev.orderpipeline.source.order;

import java.time.Duration;

/**
 * A sender placed more orders than its limit allows; answered 429 with
 * {@code Retry-After}.
 */
class RateLimitedException extends RuntimeException {

	private final Duration retryAfter;

	RateLimitedException(Duration retryAfter) {
		super("Too many orders from this sender");
		this.retryAfter = retryAfter;
	}

	Duration getRetryAfter() {
		return this.retryAfter;
	}

}
