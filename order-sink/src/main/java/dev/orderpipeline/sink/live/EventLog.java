package dev.orderpipeline.sink.live;

import java.util.List;
import java.util.UUID;

import dev.orderpipeline.sink.lifecycle.StatusHistory;
import io.r2dbc.spi.Readable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;

/**
 * Reads events in the order of their positions: stored orders ({@code orders}) and
 * decided status changes ({@code order_status_history}), all of them or one order's or
 * one sender's. A read returns only events below the oldest transaction still running,
 * its horizon: every transaction there has ended, so no event can appear behind a
 * position once read, and reading on from the last position never skips one.
 */
@Component
public class EventLog {

	private static final String ORDER_COLUMNS = "'order' AS kind, o.event_xid, o.event_seq, o.order_id, "
			+ "o.sender_user_id, o.medication_id, o.status, o.channel, o.created_at, o.stored_at, o.trace_id, "
			+ "NULL::uuid AS change_id, NULL::text AS from_state, NULL::text AS to_state, NULL::text AS outcome, "
			+ "NULL::text AS refusal, NULL::text AS detail, NULL::text AS reason, NULL::text AS actor, "
			+ "NULL::text[] AS roles, NULL::integer AS base_version, NULL::integer AS version, "
			+ "NULL::timestamptz AS requested_at, NULL::timestamptz AS decided_at";

	private static final String CHANGE_COLUMNS = "'change', s.event_xid, s.event_seq, s.order_id, s.sender_user_id, "
			+ "NULL, NULL, NULL, NULL, NULL, NULL, s.change_id, s.from_state, s.to_state, s.outcome, s.refusal, "
			+ "s.detail, s.reason, s.actor, s.roles, s.base_version, s.version, s.requested_at, s.decided_at";

	private static final String AFTER = "(%1$s.event_xid, %1$s.event_seq) > ($1::text::xid8, $2) "
			+ "AND %1$s.event_xid < h.horizon";

	private final DatabaseClient database;

	public EventLog(DatabaseClient database) {
		this.database = database;
	}

	/**
	 * The first events after a position.
	 * @param scope whose events
	 * @param after the position
	 * @param limit the most events to read
	 * @return the events, in order, and the horizon they were read below
	 */
	public Mono<Page> after(Scope scope, EventPosition after, int limit) {
		String orders = ORDER_COLUMNS + " FROM orders o WHERE " + AFTER.formatted("o") + scope.condition("o");
		String changes = CHANGE_COLUMNS + " FROM order_status_history s WHERE " + AFTER.formatted("s")
				+ scope.condition("s");
		String order = " ORDER BY 2, 3 LIMIT $3";
		String sql = "SELECT h.horizon::text AS horizon, e.*, e.event_xid::text AS xid FROM (SELECT pg_snapshot_xmin(pg_current_snapshot()) "
				+ "AS horizon) h LEFT JOIN LATERAL ((SELECT " + orders + order + ") UNION ALL (SELECT " + changes
				+ order + ")" + order + ") e ON true";
		DatabaseClient.GenericExecuteSpec statement = this.database.sql(sql)
			.bind(0, Long.toString(after.xid()))
			.bind(1, after.seq())
			.bind(2, limit);
		if (scope.key() != null) {
			statement = statement.bind(3, scope.key());
		}
		return statement.map(EventLog::row).all().collectList().map((rows) -> {
			long horizon = rows.get(0).horizon();
			List<LiveEvent> events = rows.stream().map(Row::event).filter((event) -> event != null).toList();
			return new Page(events, horizon);
		});
	}

	/**
	 * Every event after a position, page by page.
	 * @param scope whose events
	 * @param after the position
	 * @param pageSize the events read at once
	 * @return the events, in order
	 */
	public Flux<LiveEvent> replay(Scope scope, EventPosition after, int pageSize) {
		return after(scope, after, pageSize)
			.expand((page) -> (page.events().size() < pageSize) ? Mono.empty()
					: after(scope, page.events().get(page.events().size() - 1).position(), pageSize))
			.concatMapIterable(Page::events);
	}

	/**
	 * The position before every event not yet readable: a stream that starts now.
	 * @return the position
	 */
	public Mono<EventPosition> now() {
		return this.database.sql("SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS horizon")
			.map((row) -> new EventPosition(Long.parseLong(row.get("horizon", String.class)), 0))
			.one();
	}

	private static Row row(Readable row) {
		long horizon = Long.parseLong(row.get("horizon", String.class));
		String kind = row.get("kind", String.class);
		if (kind == null) {
			return new Row(horizon, null);
		}
		EventPosition position = new EventPosition(Long.parseLong(row.get("xid", String.class)),
				row.get("event_seq", Long.class));
		UUID orderId = row.get("order_id", UUID.class);
		String sender = row.get("sender_user_id", String.class);
		LiveEvent event = kind.equals("order") ? new LiveEvent(position, orderId, sender, LiveEvent.Order.of(row), null)
				: new LiveEvent(position, orderId, sender, null, StatusHistory.entry(row));
		return new Row(horizon, event);
	}

	private record Row(long horizon, LiveEvent event) {
	}

	/**
	 * Events read at once.
	 *
	 * @param events the events, in order
	 * @param horizon the oldest transaction running when they were read: every event
	 * below it was readable
	 */
	public record Page(List<LiveEvent> events, long horizon) {
	}

	/**
	 * Whose events to read.
	 *
	 * @param column the column that selects them, or {@code null} for all
	 * @param key its value
	 */
	public record Scope(String column, Object key) {

		/** Every event. */
		public static final Scope ALL = new Scope(null, null);

		/**
		 * One order's events.
		 * @param orderId the order
		 * @return the scope
		 */
		public static Scope order(UUID orderId) {
			return new Scope("order_id", orderId);
		}

		/**
		 * One sender's events.
		 * @param sender the sender
		 * @return the scope
		 */
		public static Scope sender(String sender) {
			return new Scope("sender_user_id", sender);
		}

		/**
		 * Whether this is one order's events.
		 * @return {@code true} if it is
		 */
		public boolean ofOrder() {
			return "order_id".equals(this.column);
		}

		String condition(String alias) {
			return (this.column != null) ? " AND " + alias + "." + this.column + " = $4" : "";
		}

	}

}
