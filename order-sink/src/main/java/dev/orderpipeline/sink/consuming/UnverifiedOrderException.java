package dev.orderpipeline.sink.consuming;

/**
 * A message that claims to come from order-source (a signature, or a field only
 * order-source sets) and does not verify: never stored, dead-lettered as unverified.
 */
class UnverifiedOrderException extends UndecodableOrderException {

	UnverifiedOrderException(String message) {
		super(message, null);
	}

}
