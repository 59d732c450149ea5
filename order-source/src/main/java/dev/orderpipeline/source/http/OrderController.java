package dev.orderpipeline.source.http;

import java.net.URI;

import dev.orderpipeline.contracts.NewOrder;
import dev.orderpipeline.contracts.OrderChannel;
import dev.orderpipeline.contracts.OrderPlaced;
import dev.orderpipeline.security.Caller;
import dev.orderpipeline.source.intake.OrderIds;
import dev.orderpipeline.source.intake.OrderIntake;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.parameters.RequestBody;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import reactor.core.publisher.Mono;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/**
 * The order routes: {@code POST /orders} and the legacy {@code POST /queue/neworder}.
 * Reads the body and hands the order to the {@link OrderIntake}; both answer success only
 * after the broker confirmed the order.
 */
@RestController
class OrderController {

	/** The legacy service's answer, typo included: its clients may compare it. */
	static final String LEGACY_MESSAGE = "Order queued succesfully";

	private final OrderRequestReader reader;

	private final OrderIntake intake;

	private final JsonBodies bodies;

	/** Where stored orders are read, up to the order's id: built once, not per order. */
	private final String storedOrders;

	OrderController(OrderRequestReader reader, OrderIntake intake, JsonBodies bodies) {
		this.reader = reader;
		this.intake = intake;
		this.bodies = bodies;
		this.storedOrders = bodies.storedOrders();
	}

	@PostMapping(path = "/orders", produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "Place an order, or a stream of orders",
			description = "application/json: one order, answered 202 once the broker confirmed it; the order is "
					+ "stored moments later and can be read at Location. application/x-ndjson: one order per line, "
					+ "each with its own optional idempotencyKey, answered 200 at once and then, as "
					+ "application/x-ndjson, one line per order as soon as the broker confirmed it (result accepted, "
					+ "with orderId and location) or it was refused (result rejected, with the problem this route "
					+ "answers a single order, and retryAfter in seconds where it answers Retry-After), each with "
					+ "the order's line number, in the order the answers come; then a last line with result done and "
					+ "the counts. One bad line never fails the others. At most orders.source.stream.max-lines orders "
					+ "per stream, each line at most orders.source.max-body-size. Needs scope orders:write; "
					+ "sender_userId must be the token's subject; each order counts against the sender's rate limit "
					+ "(in a stream with scope orders:bulk, the larger bulk allowance). A stream whose token has "
					+ "scope orders:migrate, while orders.source.migration-enabled is on (else 403 migration-off), "
					+ "migrates the legacy system's stored orders: each line names any sender, "
					+ "gives the legacy row's id as its idempotencyKey (the order's id follows from it, so a row "
					+ "migrated again is stored once), its createdAt and optionally updatedAt, and any legacy status "
					+ "list; the order is stored on channel LEGACY_MIGRATION with those times and counts against the "
					+ "caller's bulk allowance. createdAt or updatedAt from any other token: 403.",
			requestBody = @RequestBody(required = true, content = {
					@Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
							schema = @Schema(implementation = NewOrder.class)),
					@Content(mediaType = MediaType.APPLICATION_NDJSON_VALUE,
							schema = @Schema(implementation = OrderStreamController.StreamedOrderLine.class)) }))
	@ApiResponse(responseCode = "202", description = "Accepted: the broker confirmed the order")
	@ApiResponse(responseCode = "200", description = "A stream of orders: one result line per order, then the counts",
			content = @Content(mediaType = MediaType.APPLICATION_NDJSON_VALUE,
					schema = @Schema(implementation = OrderStreamController.LineResult.class)))
	@ProblemResponses
	// SingleOrderRoute serves most requests of this route ahead of the dispatch; they
	// reach this mapping only when SingleOrderRoute.serves leaves them to it.
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
							schema = @Schema(implementation = NewOrder.class))))
	@ApiResponse(responseCode = "200", description = "Queued: the broker confirmed the order")
	@ProblemResponses
	Mono<LegacyAccepted> placeLegacy(ServerHttpRequest request,
			@RequestHeader(name = OrderIds.IDEMPOTENCY_KEY, required = false) String idempotencyKey) {
		return accept(request, idempotencyKey, OrderChannel.LEGACY_HTTP, false)
			.map((order) -> new LegacyAccepted(LEGACY_MESSAGE, order.orderId()));
	}

	private Mono<OrderPlaced> accept(ServerHttpRequest request, String idempotencyKey, OrderChannel channel,
			boolean rejectUnknownFields) {
		return this.bodies.read(request)
			.zipWith(Caller.current())
			.flatMap((received) -> this.intake.place(this.reader.read(received.getT1(), rejectUnknownFields),
					received.getT2().map(Authentication::getName), idempotencyKey, channel));
	}

}
