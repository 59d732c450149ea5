package dev.orderpipeline.source.intake;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import dev.orderpipeline.contracts.OrderLifecycle;
import dev.orderpipeline.contracts.OrderStatus;
import dev.orderpipeline.contracts.StatusChangeRequested;
import dev.orderpipeline.security.OrderAuthorities;
import dev.orderpipeline.source.publishing.OrderPublisher;
import reactor.core.publisher.Mono;

import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.stereotype.Component;

/**
 * The intake's rules for status changes. order-source holds no orders: it cannot know an
 * order's sender, status or version, so it checks only what it can (that the caller could
 * make such a change on some order, and names the version it acts on), gives the change
 * its id and publishes it; order-sink decides it on the order as stored. An order that
 * does not exist and another sender's order are answered alike: accepted, then refused or
 * left to expire where only the order's readers see it.
 */
@Component
public class StatusCommands {

	private final OrderPublisher publisher;

	private final SenderRateLimiter rateLimiter;

	private final Clock clock;

	StatusCommands(OrderPublisher publisher, SenderRateLimiter rateLimiter, Clock clock) {
		this.publisher = publisher;
		this.rateLimiter = rateLimiter;
		this.clock = clock;
	}

	/**
	 * Requests a status change.
	 * @param orderId the order
	 * @param command what the caller asks
	 * @param caller the authenticated caller
	 * @param ifMatch the request's {@code If-Match}: the ETag of the version the caller
	 * acted on
	 * @param idempotencyKey the client's {@code Idempotency-Key}, or {@code null}
	 * @return the change as published, once the broker durably accepted it; fails with
	 * {@link PreconditionRequiredException}, {@link InvalidOrderRequestException},
	 * {@link ChangeNotAllowedException}, {@link RateLimitedException} or
	 * {@link dev.orderpipeline.source.publishing.PublishFailedException}
	 */
	public Mono<StatusChangeRequested> request(UUID orderId, StatusCommand command, Authentication caller,
			String ifMatch, String idempotencyKey) {
		StatusChangeRequested change;
		try {
			change = admit(orderId, command, caller, ifMatch, idempotencyKey);
		}
		catch (RuntimeException ex) {
			return Mono.error(ex);
		}
		return this.publisher.publish(change).thenReturn(change);
	}

	private StatusChangeRequested admit(UUID orderId, StatusCommand command, Authentication caller, String ifMatch,
			String idempotencyKey) {
		int baseVersion = version(ifMatch);
		List<String> roles = roles(caller);
		boolean writer = has(caller, OrderAuthorities.WRITE);
		if (!OrderLifecycle.mayAsk(command.status(), roles.contains(OrderLifecycle.PHARMACIST),
				roles.contains(OrderLifecycle.ADMIN), writer)) {
			throw new ChangeNotAllowedException(command.status());
		}
		this.rateLimiter.acquire(caller.getName());
		UUID changeId = OrderIds.forChange(idempotencyKey, caller.getName(), orderId);
		Instant now = this.clock.instant().truncatedTo(ChronoUnit.MICROS);
		return new StatusChangeRequested(changeId, orderId, command.status(), baseVersion, caller.getName(), roles,
				command.reason(), now);
	}

	/**
	 * The version an {@code If-Match} names: one strong ETag, as {@code GET} gives it.
	 */
	private static int version(String ifMatch) {
		if (ifMatch == null) {
			throw new PreconditionRequiredException();
		}
		String value = ifMatch.trim();
		if (value.length() >= 3 && value.length() <= 12 && value.startsWith("\"") && value.endsWith("\"")) {
			try {
				int version = Integer.parseInt(value.substring(1, value.length() - 1));
				if (version >= 1) {
					return version;
				}
			}
			catch (NumberFormatException ex) {
				// answered below
			}
		}
		throw new InvalidOrderRequestException("If-Match",
				"must be the ETag GET /orders/{id} answered, such as \"1\": one version, not * or a list");
	}

	private static List<String> roles(Authentication caller) {
		List<String> roles = new ArrayList<>(2);
		if (has(caller, OrderAuthorities.PHARMACIST)) {
			roles.add(OrderLifecycle.PHARMACIST);
		}
		if (has(caller, OrderAuthorities.ADMIN)) {
			roles.add(OrderLifecycle.ADMIN);
		}
		return roles;
	}

	private static boolean has(Authentication caller, String authority) {
		return caller.getAuthorities().stream().map(GrantedAuthority::getAuthority).anyMatch(authority::equals);
	}

	/**
	 * What a caller asks of an order.
	 *
	 * @param status the status asked for
	 * @param reason why, or {@code null}
	 */
	public record StatusCommand(OrderStatus status, String reason) {

	}

}
