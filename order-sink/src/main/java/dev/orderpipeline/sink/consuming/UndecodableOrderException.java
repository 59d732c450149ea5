package dev.orderpipeline.sink.consuming;

/**
 * A message that is not an order: never retried, dead-lettered with this message as its
 * cause.
 */
class UndecodableOrderException extends RuntimeException {

	UndecodableOrderException(String message, Throwable cause) {
		super(message, cause);
	}

}
