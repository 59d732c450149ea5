package dev.orderpipeline.sink.deadletters;

/**
 * A dead-letter command could not do its work; the message says what and what became of
 * the messages.
 */
class DeadLetterCommandException extends RuntimeException {

	DeadLetterCommandException(String message, Throwable cause) {
		super(message, cause);
	}

}
