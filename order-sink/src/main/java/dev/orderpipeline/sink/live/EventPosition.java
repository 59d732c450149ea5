package dev.orderpipeline.sink.live;

import java.util.Comparator;
import java.util.regex.Pattern;

/**
 * Where an event stands in the order of all events: the transaction that wrote it and its
 * number in the order of writing. Clients see it as an opaque token, the id of each event
 * ({@code Last-Event-ID}, or {@code after} for NDJSON), and resume after it.
 *
 * @param xid the writing transaction
 * @param seq the event's number
 */
public record EventPosition(long xid, long seq) implements Comparable<EventPosition> {

	/** Before every event. */
	public static final EventPosition START = new EventPosition(0, 0);

	private static final Pattern TOKEN = Pattern.compile("(\\d{1,18})-(\\d{1,18})");

	private static final Comparator<EventPosition> ORDER = Comparator.comparingLong(EventPosition::xid)
		.thenComparingLong(EventPosition::seq);

	/**
	 * The position a client sent.
	 * @param token the token
	 * @return the position
	 * @throws IllegalArgumentException if the token is not one
	 */
	public static EventPosition parse(String token) {
		var matcher = TOKEN.matcher(token);
		if (!matcher.matches()) {
			throw new IllegalArgumentException("not an event id of this stream");
		}
		return new EventPosition(Long.parseLong(matcher.group(1)), Long.parseLong(matcher.group(2)));
	}

	/**
	 * Whether this position comes after another.
	 * @param other the other position
	 * @return {@code true} if after it
	 */
	public boolean isAfter(EventPosition other) {
		return compareTo(other) > 0;
	}

	@Override
	public int compareTo(EventPosition other) {
		return ORDER.compare(this, other);
	}

	@Override
	public String toString() {
		return this.xid + "-" + this.seq;
	}

}
