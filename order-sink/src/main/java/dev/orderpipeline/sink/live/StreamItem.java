package dev.orderpipeline.sink.live;

/**
 * What a stream sends its client, in order: {@link Opened} once, then events and
 * heartbeats, and {@link Closed} when the sink ends the stream. Each but an event carries
 * the position to resume from.
 */
public sealed interface StreamItem {

	/**
	 * The position a client resumes after, once it has received this item.
	 * @return the position
	 */
	EventPosition position();

	/**
	 * The stream begins after this position.
	 *
	 * @param position the position
	 */
	record Opened(EventPosition position) implements StreamItem {
	}

	/**
	 * An event.
	 *
	 * @param event the event
	 */
	record Delivered(LiveEvent event) implements StreamItem {

		@Override
		public EventPosition position() {
			return this.event.position();
		}

	}

	/**
	 * Nothing new up to this position; the stream is alive.
	 *
	 * @param position the position
	 */
	record Heartbeat(EventPosition position) implements StreamItem {
	}

	/**
	 * The sink ends the stream; the client reconnects and resumes after the position.
	 *
	 * @param reason why: {@code overflow} (the client read slower than events came),
	 * {@code shutdown} (the sink is stopping), {@code unavailable} (the database could
	 * not be read)
	 * @param position the position
	 */
	record Closed(String reason, EventPosition position) implements StreamItem {

		/** The client read slower than events came. */
		public static final String OVERFLOW = "overflow";

		/** The sink is stopping. */
		public static final String SHUTDOWN = "shutdown";

		/** The database could not be read. */
		public static final String UNAVAILABLE = "unavailable";

	}

}
