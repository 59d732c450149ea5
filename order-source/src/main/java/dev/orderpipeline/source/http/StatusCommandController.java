package dev.orderpipeline.source.http;

import java.net.URI;
import java.util.UUID;

import dev.orderpipeline.security.Caller;
import dev.orderpipeline.security.OrderAuthorities;
import dev.orderpipeline.security.OrderSecurity;
import dev.orderpipeline.source.intake.InvalidOrderRequestException;
import dev.orderpipeline.source.intake.OrderIds;
import dev.orderpipeline.source.intake.StatusCommands;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.parameters.RequestBody;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/**
 * Status changes: {@code POST /order-commands/{id}/status}. Answers 202 once the broker
 * accepted the change for processing; order-sink applies it on the version
 * {@code If-Match} names, or refuses it, and the order's history says which.
 */
@RestController
class StatusCommandController {

	private final OrderRequestReader reader;

	private final StatusCommands commands;

	private final JsonBodies bodies;

	private final boolean securityEnabled;

	StatusCommandController(OrderRequestReader reader, StatusCommands commands, JsonBodies bodies,
			ObjectProvider<OrderSecurity> security) {
		this.reader = reader;
		this.commands = commands;
		this.bodies = bodies;
		OrderSecurity configured = security.getIfAvailable();
		this.securityEnabled = configured == null || configured.enabled();
	}

	@PostMapping(path = "/order-commands/{id}/status", produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "Change an order's status",
			description = "Asks to move the order to a status: PENDING -> APPROVED | REJECTED, APPROVED -> DISPATCHED "
					+ "-> DELIVERED, CANCELLED from PENDING or APPROVED. Pharmacists approve, reject, dispatch and "
					+ "deliver; a sender cancels its own order while it is PENDING (scope orders:write); "
					+ "administrators make every change. If-Match names the version acted on (the ETag of "
					+ "GET /orders/{id}). 202 means accepted for processing: the order's history (at Location) shows "
					+ "the change applied, or refused with its reason (stale, illegal, forbidden, expired). An order "
					+ "that does not exist and another sender's order are answered alike.",
			requestBody = @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
					examples = @ExampleObject("{\"status\": \"APPROVED\", \"reason\": \"prescription checked\"}"))))
	@ApiResponse(responseCode = "202",
			description = "Accepted for processing: the broker accepted the change. Location: the order, whose history "
					+ "shows the change's outcome",
			headers = @Header(name = HttpHeaders.LOCATION, description = "The order on the read API"))
	@ApiResponse(responseCode = "428", description = "No If-Match",
			content = @Content(mediaType = MediaType.APPLICATION_PROBLEM_JSON_VALUE))
	@ProblemResponses
	Mono<ResponseEntity<ChangeAccepted>> change(@Parameter(description = "The order's id") @PathVariable String id,
			@Parameter(
					description = "The ETag of the order's version the change acts on, such as \"1\"") @RequestHeader(
							name = HttpHeaders.IF_MATCH, required = false) String ifMatch,
			@Parameter(
					description = "With the caller and the order, names the change: a retry is decided once") @RequestHeader(
							name = OrderIds.IDEMPOTENCY_KEY, required = false) String idempotencyKey,
			ServerHttpRequest request) {
		UUID orderId;
		try {
			orderId = orderId(id);
		}
		catch (InvalidOrderRequestException ex) {
			return Mono.error(ex);
		}
		return this.bodies.read(request)
			.zipWith(Caller.current())
			.flatMap((received) -> this.commands.request(orderId, this.reader.readStatusCommand(received.getT1()),
					caller(received.getT2().orElse(null)), ifMatch, idempotencyKey))
			.map((change) -> {
				URI location = URI.create(this.bodies.storedOrders() + orderId);
				return ResponseEntity.accepted()
					.location(location)
					.body(new ChangeAccepted(change.changeId(), orderId, change.status(), change.baseVersion(),
							location));
			});
	}

	/**
	 * The caller: the token's, or with security off an administrator named anonymous. A
	 * request without a validated token while security is on changes nothing.
	 */
	private Authentication caller(Authentication authentication) {
		if (authentication != null) {
			return authentication;
		}
		if (this.securityEnabled) {
			throw new ErrorResponseException(HttpStatus.FORBIDDEN,
					ProblemDetail.forStatusAndDetail(HttpStatus.FORBIDDEN, "A status change needs a validated token"),
					null);
		}
		return UsernamePasswordAuthenticationToken.authenticated("anonymous", null,
				AuthorityUtils.createAuthorityList(OrderAuthorities.WRITE, OrderAuthorities.ADMIN));
	}

	private static UUID orderId(String id) {
		try {
			if (id.length() == 36) {
				return UUID.fromString(id);
			}
		}
		catch (IllegalArgumentException ex) {
			// answered below
		}
		throw new InvalidOrderRequestException("id", "must be a UUID");
	}

}
