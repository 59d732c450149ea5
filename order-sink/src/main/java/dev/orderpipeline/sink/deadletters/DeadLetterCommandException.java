package dev.orderpipeline.sink.deadletters;

/**
 * A dead-letter command could not do its work; the message says what and what became of
 * the messages.
 */
public class DeadLetterCommandException extends RuntimeException {

	public DeadLetterCommandException(String message, Throwable cause) {
		super(message, cause);
	}

}
