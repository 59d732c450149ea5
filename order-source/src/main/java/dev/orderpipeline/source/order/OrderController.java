package dev.orderpipeline.source.order;

import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.UUID;

import dev.orderpipeline.contracts.LegacyOrder;
import dev.orderpipeline.contracts.OrderChannel;
import dev.orderpipeline.contracts.OrderPlaced;
import dev.orderpipeline.security.Caller;
import reactor.core.publisher.Mono;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.parameters.RequestBody;
import io.swagger.v3.oas.annotations.responses.ApiResponse;

import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * The order routes: {@code POST /orders} and the legacy {@code POST /queue/neworder}.
 * Both answer success only after the broker confirmed the order.
 */
@RestController
class OrderController {

	/** The legacy service's answer, typo included: its clients may compare it. */
	static final String LEGACY_MESSAGE = "Order queued succesfully";

	private final OrderRequestReader reader;

	private final OrderPublisher publisher;

	private final OrderSourceProperties properties;

	private final Clock clock;

	private final OrderMetrics metrics;

	private final SenderRateLimiter rateLimiter;

	/** Where stored orders are read, up to the order's id: built once, not per order. */
	private final String storedOrders;

	OrderController(OrderRequestReader reader, OrderPublisher publisher, OrderSourceProperties properties, Clock clock,
			OrderMetrics metrics, SenderRateLimiter rateLimiter) {
		this.metrics = metrics;
		this.rateLimiter = rateLimiter;
		this.reader = reader;
		this.publisher = publisher;
		this.properties = properties;
		this.clock = clock;
		this.storedOrders = UriComponentsBuilder.fromUri(properties.readApiBaseUrl())
			.path("/orders/")
			.build()
			.toUriString();
	}

	@PostMapping(path = "/orders", produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "Place an order",
			description = "Answers 202 once the broker confirmed the order; the order is stored moments later "
					+ "and can be read at Location. Needs scope orders:write; sender_userId must be the token's subject.",
			requestBody = @RequestBody(required = true,
					content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
							schema = @Schema(implementation = LegacyOrder.class))))
	@ApiResponse(responseCode = "202", description = "Accepted: the broker confirmed the order")
	@ProblemResponses
	Mono<ResponseEntity<OrderAccepted>> place(ServerHttpRequest request,
			@RequestHeader(name = OrderIds.IDEMPOTENCY_KEY, required = false) String idempotencyKey) {
		return accept(request, idempotencyKey, OrderChannel.API, true).map((order) -> {
			URI location = URI.create(this.storedOrders + order.orderId());
			return ResponseEntity.accepted().location(location).body(new OrderAccepted(order.orderId(), location));
		});
	}

	@PostMapping(path = "/queue/neworder", produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "Place an order (legacy route)",
			description = "The legacy service's route: status optional, unknown fields ignored, a body without "
					+ "Content-Type read as JSON. Answers the legacy message once the broker confirmed the order.",
			requestBody = @RequestBody(required = true,
					content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
							schema = @Schema(implementation = LegacyOrder.class))))
	@ApiResponse(responseCode = "200", description = "Queued: the broker confirmed the order")
	@ProblemResponses
	Mono<LegacyAccepted> placeLegacy(ServerHttpRequest request,
			@RequestHeader(name = OrderIds.IDEMPOTENCY_KEY, required = false) String idempotencyKey) {
		return accept(request, idempotencyKey, OrderChannel.LEGACY_HTTP, false)
			.map((order) -> new LegacyAccepted(LEGACY_MESSAGE, order.orderId()));
	}

	private Mono<OrderPlaced> accept(ServerHttpRequest request, String idempotencyKey, OrderChannel channel,
			boolean rejectUnknownFields) {
		return body(request).zipWith(Caller.current()).map((received) -> {
			LegacyOrder order = this.reader.read(received.getT1(), rejectUnknownFields);
			Optional<Authentication> caller = received.getT2();
			if (caller.isPresent() && !caller.get().getName().equals(order.senderUserId())) {
				throw new SenderMismatchException();
			}
			UUID orderId;
			if (caller.isPresent()) {
				this.rateLimiter.acquire(order.senderUserId());
				orderId = OrderIds.forRequest(idempotencyKey, order.senderUserId());
			}
			else {
				// Anyone may name any sender here: an anonymous order takes neither an
				// id nor an allowance of the sender's own, so its key is not honoured.
				this.rateLimiter.acquireAnonymous(order.senderUserId());
				orderId = OrderIds.forRequest(null, order.senderUserId());
			}
			Instant now = this.clock.instant().truncatedTo(ChronoUnit.MICROS);
			this.metrics.accepted(channel);
			return order.toEvent(orderId, now, channel);
		}).flatMap((order) -> this.publisher.publish(order).thenReturn(order));
	}

	private Mono<byte[]> body(ServerHttpRequest request) {
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

	/**
	 * The answer to an accepted order.
	 *
	 * @param orderId the order's id
	 * @param location where the stored order can be read
	 */
	record OrderAccepted(UUID orderId, URI location) {
	}

	/**
	 * The legacy route's answer: the legacy message, plus the order's id.
	 *
	 * @param message always "Order queued succesfully"
	 * @param orderId the order's id
	 */
	record LegacyAccepted(String message, UUID orderId) {
	}

}
