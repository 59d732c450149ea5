package dev.orderpipeline.source.order;

/**
 * A request body that is not JSON; answered 415.
 */
class UnsupportedContentTypeException extends RuntimeException {

	UnsupportedContentTypeException(String message) {
		super(message);
	}

}
