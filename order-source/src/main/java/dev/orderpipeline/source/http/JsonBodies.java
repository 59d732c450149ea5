package dev.orderpipeline.source.http;

import dev.orderpipeline.source.OrderSourceProperties;
import reactor.core.publisher.Mono;

import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.stereotype.Component;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * The request bodies of every route that takes one: JSON (or no content type, read as
 * JSON), at most {@code orders.source.max-body-size}; and where the read API serves an
 * order, for the {@code Location} of an answer.
 */
@Component
class JsonBodies {

	private final OrderSourceProperties properties;

	/** Where stored orders are read, up to the order's id: built once, not per order. */
	private final String storedOrders;

	JsonBodies(OrderSourceProperties properties) {
		this.properties = properties;
		this.storedOrders = UriComponentsBuilder.fromUri(properties.readApiBaseUrl())
			.path("/orders/")
			.build()
			.toUriString();
	}

	/**
	 * Where the read API serves orders, up to the order's id.
	 * @return the read API's {@code /orders/}
	 */
	String storedOrders() {
		return this.storedOrders;
	}

	/**
	 * Reads a request's JSON body, up to the configured size.
	 * @param request the request
	 * @return the body, empty bytes when there is none; fails with
	 * {@link UnsupportedContentTypeException} or {@link BodyTooLargeException}
	 */
	Mono<byte[]> read(ServerHttpRequest request) {
		MediaType contentType;
		try {
			contentType = request.getHeaders().getContentType();
		}
		catch (InvalidMediaTypeException ex) {
			return Mono.error(new UnsupportedContentTypeException("Content-Type is not a valid media type"));
		}
		if (contentType != null && !isJson(contentType)) {
			return Mono.error(new UnsupportedContentTypeException("Content-Type must be application/json, not "
					+ contentType.getType() + "/" + contentType.getSubtype()));
		}
		int limit = Math.toIntExact(this.properties.maxBodySize().toBytes());
		if (request.getHeaders().getContentLength() > limit) {
			return Mono.error(new BodyTooLargeException(limit));
		}
		return DataBufferUtils.join(request.getBody(), limit).map((buffer) -> {
			byte[] bytes = new byte[buffer.readableByteCount()];
			buffer.read(bytes);
			DataBufferUtils.release(buffer);
			return bytes;
		})
			.onErrorMap(DataBufferLimitException.class, (ex) -> new BodyTooLargeException(limit))
			.defaultIfEmpty(new byte[0]);
	}

	private static boolean isJson(MediaType contentType) {
		return MediaType.APPLICATION_JSON.isCompatibleWith(contentType)
				|| "json".equals(contentType.getSubtypeSuffix()) && "application".equals(contentType.getType());
	}

}
