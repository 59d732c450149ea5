package dev.orderpipeline.sink.api;

import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonUnwrapped;

import dev.orderpipeline.sink.lifecycle.StatusHistory;
import dev.orderpipeline.sink.store.OrderRepository;
import dev.orderpipeline.sink.store.StoredOrder;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * The read API: a stored order by its id, the {@code Location} order-source gives for an
 * accepted order. Until the order is stored the answer is 404. Senders read their own
 * orders ({@code orders:read}); pharmacists and administrators read every order. Another
 * sender's order answers exactly as a missing one, so a read never tells whether an order
 * exists; with security on, a request without a validated token reads nothing.
 */
@RestController
class OrderReadController {

	private final OrderRepository repository;

	private final Readers readers;

	private final StatusHistory history;

	OrderReadController(OrderRepository repository, Readers readers, StatusHistory history) {
		this.repository = repository;
		this.readers = readers;
		this.history = history;
	}

	@GetMapping(path = "/orders/{id}", produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "Read a stored order",
			description = "The order with this id, to its sender (scope orders:read), a pharmacist or an administrator. "
					+ "Another sender's order answers 404, exactly as a missing one.")
	@ApiResponse(responseCode = "200",
			description = "The stored order, its lifecycle status (state) and version, and its status changes: "
					+ "applied, refused with their reason, or waiting",
			headers = @Header(name = HttpHeaders.ETAG,
					description = "The order's version, for If-Match on a status change: \"1\" as placed"))
	@ApiResponse(responseCode = "400", description = "The id is not a UUID",
			content = @Content(mediaType = MediaType.APPLICATION_PROBLEM_JSON_VALUE))
	@ApiResponse(responseCode = "401", description = "No valid bearer token",
			content = @Content(mediaType = MediaType.APPLICATION_PROBLEM_JSON_VALUE))
	@ApiResponse(responseCode = "403",
			description = "Neither scope orders:read nor a pharmacist's or administrator's role",
			content = @Content(mediaType = MediaType.APPLICATION_PROBLEM_JSON_VALUE))
	@ApiResponse(responseCode = "404", description = "Not stored (yet), or not the caller's to read",
			content = @Content(mediaType = MediaType.APPLICATION_PROBLEM_JSON_VALUE))
	Mono<OrderDetails> order(@PathVariable String id, ServerHttpResponse response) {
		UUID orderId = parse(id);
		return this.repository.findById(orderId)
			.filterWhen((order) -> this.readers.mayReadOrdersOf(order.senderUserId()))
			.zipWhen((order) -> this.history.of(orderId))
			.map((found) -> {
				// The ETag names the version a change acts on. The history may grow under
				// it (a refusal moves nothing), so it is set on the response itself,
				// where
				// no If-None-Match is answered with 304 from it.
				response.getHeaders().setETag("\"" + found.getT1().version() + "\"");
				return new OrderDetails(found.getT1(), found.getT2());
			})
			.switchIfEmpty(
					Mono.error(() -> ReadProblems.problem(HttpStatus.NOT_FOUND, "order-not-found", "Order not found",
							"No order " + orderId + " is stored (yet), or it is not yours to read: an accepted order "
									+ "is stored within moments")));
	}

	/**
	 * A stored order with its status changes.
	 *
	 * @param order the order
	 * @param history its status changes
	 */
	record OrderDetails(@JsonUnwrapped StoredOrder order, List<StatusHistory.Entry> history) {
	}

	static UUID parse(String id) {
		try {
			if (id.length() == 36) {
				return UUID.fromString(id);
			}
		}
		catch (IllegalArgumentException ex) {
			// answered below
		}
		throw ReadProblems.invalid("invalid-order-id", "Invalid order id", "id", "must be a UUID");
	}

}
