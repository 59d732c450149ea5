package dev.orderpipeline.source.http;

/**
 * A request body that is not JSON; answered 415.
 */
class UnsupportedContentTypeException extends RuntimeException {

	UnsupportedContentTypeException(String message) {
		super(message);
	}

}
