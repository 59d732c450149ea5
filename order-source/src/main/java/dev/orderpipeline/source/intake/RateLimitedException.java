package dev.orderpipeline.source.intake;

import java.time.Duration;

/**
 * A sender placed more orders than its limit allows; answered 429 with
 * {@code Retry-After}.
 */
public class RateLimitedException extends RuntimeException {

	private final Duration retryAfter;

	RateLimitedException(Duration retryAfter) {
		super("Too many orders from this sender");
		this.retryAfter = retryAfter;
	}

	public Duration getRetryAfter() {
		return this.retryAfter;
	}

}
