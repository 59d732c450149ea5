package dev.orderpipeline.source.intake;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * Gives each order its identity once, at intake. A client's {@code Idempotency-Key}
 * together with the sender determines the id, so a retried request names the same order
 * and the sink stores it once.
 */
public final class OrderIds {

	public static final String IDEMPOTENCY_KEY = "Idempotency-Key";

	private static final int MAX_KEY_LENGTH = 255;

	private OrderIds() {
	}

	/**
	 * The id of an order.
	 * @param idempotencyKey the client's key, or {@code null}
	 * @param sender the order's sender
	 * @return a fresh id without a key, else the id the key and sender determine
	 * @throws InvalidOrderRequestException if the key is empty, longer than 255
	 * characters or not printable ASCII
	 */
	static UUID forRequest(String idempotencyKey, String sender) {
		return forName(idempotencyKey, "order-pipeline/idempotency\n" + sender);
	}

	/**
	 * The id of a status change.
	 * @param idempotencyKey the client's key, or {@code null}
	 * @param actor who asks
	 * @param orderId the order
	 * @return a fresh id without a key, else the id the key, actor and order determine
	 * @throws InvalidOrderRequestException if the key is not a valid key
	 */
	static UUID forChange(String idempotencyKey, String actor, UUID orderId) {
		return forName(idempotencyKey, "order-pipeline/status-change\n" + actor + "\n" + orderId);
	}

	/**
	 * Checks an idempotency key.
	 * @param field where the client gave it, named when it is not valid
	 * @param idempotencyKey the key
	 * @return the key
	 * @throws InvalidOrderRequestException if the key is empty, longer than 255
	 * characters or not printable ASCII
	 */
	public static String requireKey(String field, String idempotencyKey) {
		if (idempotencyKey.isEmpty() || idempotencyKey.length() > MAX_KEY_LENGTH
				|| !idempotencyKey.chars().allMatch((c) -> c >= 0x20 && c < 0x7f)) {
			throw new InvalidOrderRequestException(field,
					"must be 1 to " + MAX_KEY_LENGTH + " printable ASCII characters");
		}
		return idempotencyKey;
	}

	private static UUID forName(String idempotencyKey, String namespace) {
		if (idempotencyKey == null) {
			return UUID.randomUUID();
		}
		requireKey(IDEMPOTENCY_KEY, idempotencyKey);
		return UUID.nameUUIDFromBytes((namespace + "\n" + idempotencyKey).getBytes(StandardCharsets.UTF_8));
	}

}
