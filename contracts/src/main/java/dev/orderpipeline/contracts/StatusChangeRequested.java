package dev.orderpipeline.contracts;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A caller's request to move an order to another status, as order-source publishes it
 * (signed, like an {@link OrderPlaced}, on the same destination) and order-sink decides
 * it: applied only on the version of the order it names, else waiting for that version or
 * refused, and kept in the order's history either way.
 *
 * @param changeId the request's identity, assigned once at intake (from the caller's
 * {@code Idempotency-Key} when it gave one): the sink decides each id once
 * @param orderId the order
 * @param status the status asked for
 * @param baseVersion the version of the order the caller acted on (its ETag)
 * @param actor the caller, the token's subject
 * @param roles the caller's roles among {@value OrderLifecycle#PHARMACIST} and
 * {@value OrderLifecycle#ADMIN}
 * @param reason why, in the caller's words, or {@code null}
 * @param requestedAt when order-source accepted the request
 */
public record StatusChangeRequested(UUID changeId, UUID orderId, OrderStatus status, int baseVersion, String actor,
		List<String> roles, String reason, Instant requestedAt) {

	/** Longest reason accepted, in characters. */
	public static final int MAX_REASON_LENGTH = 500;

	public StatusChangeRequested {
		OrderConstraints.requirePresent("changeId", changeId);
		OrderConstraints.requirePresent("orderId", orderId);
		OrderConstraints.requirePresent("status", status);
		if (status == OrderLifecycle.INITIAL) {
			throw new InvalidOrderException("status",
					"must not be " + OrderLifecycle.INITIAL + ": every order starts there and never returns to it");
		}
		if (baseVersion < 1) {
			throw new InvalidOrderException("baseVersion", "must be at least 1");
		}
		OrderConstraints.requireIdentifier("actor", actor);
		OrderConstraints.requirePresent("roles", roles);
		if (!roles.stream().allMatch(StatusChangeRequested::isRole)) {
			throw new InvalidOrderException("roles",
					"must hold only " + OrderLifecycle.PHARMACIST + " and " + OrderLifecycle.ADMIN);
		}
		roles = List.copyOf(roles);
		if (reason != null) {
			if (reason.length() > MAX_REASON_LENGTH) {
				throw new InvalidOrderException("reason", "must be at most " + MAX_REASON_LENGTH + " characters");
			}
			OrderConstraints.requireText("reason", reason);
		}
		OrderConstraints.requirePresent("requestedAt", requestedAt);
	}

	private static boolean isRole(String role) {
		return OrderLifecycle.PHARMACIST.equals(role) || OrderLifecycle.ADMIN.equals(role);
	}

	/**
	 * Whether the caller is a pharmacist.
	 * @return whether the roles hold {@value OrderLifecycle#PHARMACIST}
	 */
	public boolean pharmacist() {
		return this.roles.contains(OrderLifecycle.PHARMACIST);
	}

	/**
	 * Whether the caller is an administrator.
	 * @return whether the roles hold {@value OrderLifecycle#ADMIN}
	 */
	public boolean admin() {
		return this.roles.contains(OrderLifecycle.ADMIN);
	}

}
