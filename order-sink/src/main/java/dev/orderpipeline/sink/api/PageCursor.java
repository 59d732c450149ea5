package dev.orderpipeline.sink.api;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;

import dev.orderpipeline.sink.store.OrderQuery.Position;

/**
 * The {@code next} cursor of a page: the position of its last order, opaque to clients
 * (URL-safe Base64 of a version, the order's creation time and its id).
 */
final class PageCursor {

	private static final String VERSION = "1";

	private static final int MAX_LENGTH = 128;

	private static final Instant EARLIEST = Instant.EPOCH;

	private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999999Z");

	private PageCursor() {
	}

	/**
	 * The cursor of a position.
	 * @param position the position
	 * @return the cursor
	 */
	static String encode(Position position) {
		String text = VERSION + "|" + position.createdAt() + "|" + position.orderId();
		return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.US_ASCII));
	}

	/**
	 * Whether an instant is one the database stores and compares as given.
	 * @param instant the instant
	 * @return whether it lies from 1970 to 9999
	 */
	static boolean inRange(Instant instant) {
		return !instant.isBefore(EARLIEST) && !instant.isAfter(LATEST);
	}

	/**
	 * The position of a cursor.
	 * @param cursor a cursor this API gave
	 * @return its position
	 * @throws org.springframework.web.ErrorResponseException (400) naming the cursor if
	 * it is not one this API gave
	 */
	static Position decode(String cursor) {
		try {
			if (cursor.length() <= MAX_LENGTH) {
				String[] parts = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.US_ASCII)
					.split("\\|", -1);
				if (parts.length == 3 && VERSION.equals(parts[0]) && parts[2].length() == 36) {
					Instant createdAt = Instant.parse(parts[1]);
					if (inRange(createdAt)) {
						return new Position(createdAt, UUID.fromString(parts[2]));
					}
				}
			}
		}
		catch (RuntimeException ex) {
			// answered below
		}
		throw ReadProblems.invalid("invalid-query", "Invalid query", "cursor",
				"must be the next cursor of an earlier page");
	}

}
