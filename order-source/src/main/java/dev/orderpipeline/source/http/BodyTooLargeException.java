package dev.orderpipeline.source.http;

/**
 * A request body over the configured limit; answered 413.
 */
class BodyTooLargeException extends RuntimeException {

	BodyTooLargeException(int limit) {
		super("body must be at most " + limit + " bytes");
	}

}
