package dev.orderpipeline.sink.api;

import java.net.URI;
import java.util.Optional;
import java.util.UUID;

import dev.orderpipeline.sink.store.OrderRepository;
import dev.orderpipeline.sink.store.StoredOrder;
import dev.orderpipeline.security.Caller;
import dev.orderpipeline.security.OrderAuthorities;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpStatus;
import org.springframework.security.core.Authentication;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * The read API: a stored order by its id, the {@code Location} order-source gives for an
 * accepted order. Until the order is stored the answer is 404. Senders read their own
 * orders ({@code orders:read}); pharmacists and administrators read every order.
 */
@RestController
class OrderReadController {

	private final OrderRepository repository;

	OrderReadController(OrderRepository repository) {
		this.repository = repository;
	}

	@GetMapping(path = "/orders/{id}", produces = MediaType.APPLICATION_JSON_VALUE)
	Mono<StoredOrder> order(@PathVariable String id) {
		UUID orderId = parse(id);
		return this.repository.findById(orderId)
			.switchIfEmpty(Mono.error(() -> problem(HttpStatus.NOT_FOUND, "order-not-found", "Order not found",
					"No order " + orderId + " is stored (yet): an accepted order is stored within moments")))
			.zipWith(Caller.current())
			.map((found) -> readable(found.getT1(), found.getT2()));
	}

	private static StoredOrder readable(StoredOrder order, Optional<Authentication> caller) {
		if (caller.isEmpty() || OrderAuthorities.readsAll(caller.get())
				|| caller.get().getName().equals(order.senderUserId())) {
			return order;
		}
		throw problem(HttpStatus.FORBIDDEN, "forbidden", "Forbidden",
				"Only the order's sender, a pharmacist or an administrator may read it");
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
