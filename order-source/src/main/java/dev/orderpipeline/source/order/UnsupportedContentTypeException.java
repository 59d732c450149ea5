package dev.orderpipeline.source.order;

import org.springframework.http.MediaType;

/**
 * A request body that is not JSON; answered 415.
 */
class UnsupportedContentTypeException extends RuntimeException {

	UnsupportedContentTypeException(MediaType contentType) {
		super("Content-Type must be application/json, not " + contentType.getType() + "/" + contentType.getSubtype());
	}

}
