package dev.orderpipeline.migration;

import java.time.Duration;

/**
 * A stream that was not answered in full: order-source out of reach, overloaded, or cut
 * off. Sending it again is safe: every row names the same order again.
 */
class IntakeUnavailableException extends RuntimeException {

	private final Duration retryAfter;

	IntakeUnavailableException(String message, Duration retryAfter, Throwable cause) {
		super(message, cause);
		this.retryAfter = retryAfter;
	}

	/**
	 * When order-source asked to be tried again.
	 * @return the wait, or {@code null} when it did not say
	 */
	Duration getRetryAfter() {
		return this.retryAfter;
	}

}
