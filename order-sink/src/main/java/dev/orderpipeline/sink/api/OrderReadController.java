package dev.orderpipeline.sink.api;

import java.net.URI;
import java.util.Optional;
import java.util.UUID;

import dev.orderpipeline.security.Caller;
import dev.orderpipeline.security.OrderAuthorities;
import dev.orderpipeline.security.OrderSecurity;
import dev.orderpipeline.sink.store.OrderRepository;
import dev.orderpipeline.sink.store.StoredOrder;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import reactor.core.publisher.Mono;
import reactor.util.function.Tuple2;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.security.core.Authentication;
import org.springframework.web.ErrorResponseException;
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

	private final boolean securityEnabled;

	/**
	 * Creates the read API.
	 * @param repository the stored orders
	 * @param security the API's security; without it (no web server) taken as on
	 */
	OrderReadController(OrderRepository repository, ObjectProvider<OrderSecurity> security) {
		this.repository = repository;
		OrderSecurity configured = security.getIfAvailable();
		this.securityEnabled = configured == null || configured.enabled();
	}

	@GetMapping(path = "/orders/{id}", produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "Read a stored order",
			description = "The order with this id, to its sender (scope orders:read), a pharmacist or an administrator. "
					+ "Another sender's order answers 404, exactly as a missing one.")
	@ApiResponse(responseCode = "200", description = "The stored order")
	@ApiResponse(responseCode = "400", description = "The id is not a UUID",
			content = @Content(mediaType = MediaType.APPLICATION_PROBLEM_JSON_VALUE))
	@ApiResponse(responseCode = "401", description = "No valid bearer token",
			content = @Content(mediaType = MediaType.APPLICATION_PROBLEM_JSON_VALUE))
	@ApiResponse(responseCode = "403",
			description = "Neither scope orders:read nor a pharmacist's or administrator's role",
			content = @Content(mediaType = MediaType.APPLICATION_PROBLEM_JSON_VALUE))
	@ApiResponse(responseCode = "404", description = "Not stored (yet), or not the caller's to read",
			content = @Content(mediaType = MediaType.APPLICATION_PROBLEM_JSON_VALUE))
	Mono<StoredOrder> order(@PathVariable String id) {
		UUID orderId = parse(id);
		return this.repository.findById(orderId)
			.zipWith(Caller.current())
			.filter((found) -> readable(found.getT1(), found.getT2()))
			.map(Tuple2::getT1)
			.switchIfEmpty(Mono.error(() -> problem(HttpStatus.NOT_FOUND, "order-not-found", "Order not found",
					"No order " + orderId + " is stored (yet), or it is not yours to read: an accepted order "
							+ "is stored within moments")));
	}

	/**
	 * Whether the caller may read the order: its sender, a pharmacist or an
	 * administrator; anyone when security is off. A request that reached here without a
	 * validated token while security is on reads nothing.
	 */
	private boolean readable(StoredOrder order, Optional<Authentication> caller) {
		if (caller.isEmpty()) {
			return !this.securityEnabled;
		}
		return OrderAuthorities.readsAll(caller.get()) || caller.get().getName().equals(order.senderUserId());
	}

	private static UUID parse(String id) {
		try {
			if (id.length() == 36) {
				return UUID.fromString(id);
			}
		}
		catch (IllegalArgumentException ex) {
			// answered below
		}
		ErrorResponseException problem = problem(HttpStatus.BAD_REQUEST, "invalid-order-id", "Invalid order id",
				"id must be a UUID");
		problem.getBody().setProperty("errors", new FieldError[] { new FieldError("id", "must be a UUID") });
		throw problem;
	}

	private static ErrorResponseException problem(HttpStatus status, String type, String title, String detail) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
		problem.setType(URI.create("https://orderpipeline.dev/problems/" + type));
		problem.setTitle(title);
		return new ErrorResponseException(status, problem, null);
	}

	record FieldError(String field, String message) {
	}

}
