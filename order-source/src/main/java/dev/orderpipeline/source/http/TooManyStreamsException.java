package dev.orderpipeline.source.http;

/**
 * A stream of orders refused because its caller ({@code 429}) or the instance
 * ({@code 503}) has as many streams open as it may.
 */
class TooManyStreamsException extends RuntimeException {

	private final boolean perCaller;

	TooManyStreamsException(boolean perCaller, int limit) {
		super(perCaller
				? "You have " + limit + " streams of orders open, as many as one caller may: wait for one " + "to end"
				: "This instance has " + limit + " streams of orders open, as many as it takes: try again " + "shortly",
				null, false, false);
		this.perCaller = perCaller;
	}

	boolean isPerCaller() {
		return this.perCaller;
	}

}
