package dev.orderpipeline.contracts;

import java.util.List;
import java.util.Objects;

/**
 * The rules every order satisfies, shared by the records of this package, the HTTP intake
 * and the JSON Schemas ({@code order-placed.schema.json},
 * {@code legacy-order.schema.json}) so that what the source accepts the sink can always
 * store.
 */
public final class OrderConstraints {

	/** Longest accepted {@code medicationId} and {@code sender_userId}, in characters. */
	public static final int MAX_ID_LENGTH = 128;

	/** Most entries accepted in {@code status}. */
	public static final int MAX_STATUS_ENTRIES = 16;

	/** The status of an order whose producer gave none (the legacy default). */
	public static final List<OrderStatus> DEFAULT_STATUS = List.of(OrderStatus.PENDING);

	private OrderConstraints() {
	}

	/**
	 * Checks an identifier field.
	 * @param field the field's name on the wire
	 * @param value the value
	 * @return the value
	 * @throws InvalidOrderException if it is missing, blank, too long or holds control
	 * characters, format characters or unpaired surrogates
	 */
	public static String requireIdentifier(String field, String value) {
		if (value == null) {
			throw new InvalidOrderException(field, "is required");
		}
		if (value.isBlank()) {
			throw new InvalidOrderException(field, "must not be blank");
		}
		if (value.length() > MAX_ID_LENGTH) {
			throw new InvalidOrderException(field, "must be at most " + MAX_ID_LENGTH + " characters");
		}
		if (value.chars().anyMatch(Character::isISOControl)) {
			throw new InvalidOrderException(field, "must not contain control characters");
		}
		if (value.codePoints().anyMatch(OrderConstraints::isInvisibleOrBroken)) {
			throw new InvalidOrderException(field,
					"must not contain format characters (bidirectional overrides, zero-width characters) "
							+ "or unpaired surrogates");
		}
		return value;
	}

	/**
	 * Checks free text: no control characters but line breaks, no format characters and
	 * no unpaired surrogates.
	 * @param field the field's name on the wire
	 * @param value the text
	 * @return the text
	 * @throws InvalidOrderException if it holds any of those
	 */
	public static String requireText(String field, String value) {
		if (value.chars().anyMatch((c) -> Character.isISOControl(c) && c != '\n')) {
			throw new InvalidOrderException(field, "must not contain control characters other than line breaks");
		}
		if (value.codePoints().anyMatch(OrderConstraints::isInvisibleOrBroken)) {
			throw new InvalidOrderException(field,
					"must not contain format characters (bidirectional overrides, zero-width characters) "
							+ "or unpaired surrogates");
		}
		return value;
	}

	/**
	 * Characters that make an identifier look like another one (a right-to-left override,
	 * a zero-width space) or that cannot be written as UTF-8 (a lone surrogate).
	 */
	private static boolean isInvisibleOrBroken(int codePoint) {
		int type = Character.getType(codePoint);
		return type == Character.FORMAT || type == Character.SURROGATE;
	}

	/**
	 * Checks a status list.
	 * @param field the field's name on the wire
	 * @param status the list
	 * @return an unmodifiable copy of the list
	 * @throws InvalidOrderException if it is missing, empty, too long or holds nulls
	 */
	public static List<OrderStatus> requireStatus(String field, List<OrderStatus> status) {
		if (status == null) {
			throw new InvalidOrderException(field, "is required");
		}
		if (status.isEmpty()) {
			throw new InvalidOrderException(field, "must not be empty");
		}
		if (status.size() > MAX_STATUS_ENTRIES) {
			throw new InvalidOrderException(field, "must have at most " + MAX_STATUS_ENTRIES + " entries");
		}
		if (status.stream().anyMatch(Objects::isNull)) {
			throw new InvalidOrderException(field, "must not contain null");
		}
		return List.copyOf(status);
	}

	/**
	 * Checks that a field is present.
	 * @param <T> the field's type
	 * @param field the field's name on the wire
	 * @param value the value
	 * @return the value
	 * @throws InvalidOrderException if it is missing
	 */
	public static <T> T requirePresent(String field, T value) {
		if (value == null) {
			throw new InvalidOrderException(field, "is required");
		}
		return value;
	}

}
