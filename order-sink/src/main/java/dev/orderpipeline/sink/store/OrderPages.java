package dev.orderpipeline.sink.store;

import java.util.ArrayList;
import java.util.List;

import reactor.core.publisher.Mono;

import org.springframework.data.r2dbc.convert.R2dbcConverter;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;

/**
 * Pages through a sender's orders by keyset: newest first, ordered by
 * {@code (created_at, order_id)}, each page starting strictly after the last order of the
 * previous one. A position is a value, not an offset, so pages never repeat an order and
 * never skip one that was stored before the first page was read, however many orders are
 * stored meanwhile. The index {@code orders_sender_created_order_idx} serves every such
 * query, read backwards, with no sort.
 */
@Component
public class OrderPages {

	private static final String COLUMNS = "order_id, medication_id, sender_user_id, status, channel, created_at, "
			+ "updated_at, stored_at, trace_id, state, version";

	private final DatabaseClient database;

	private final R2dbcConverter converter;

	public OrderPages(DatabaseClient database, R2dbcConverter converter) {
		this.database = database;
		this.converter = converter;
	}

	/**
	 * Reads one page.
	 * @param query the sender, filters, position and size
	 * @return the page: its orders, and the position of the next page when there are more
	 */
	public Mono<Page> find(OrderQuery query) {
		// One more row than the page holds tells whether another page follows.
		Select select = select(query, query.limit() + 1);
		return this.database.sql(select.sql())
			.bindValues(select.values())
			.map((row, metadata) -> this.converter.read(StoredOrder.class, row, metadata))
			.all()
			.collectList()
			.map((orders) -> (orders.size() > query.limit())
					? new Page(orders.subList(0, query.limit()), OrderQuery.Position.of(orders.get(query.limit() - 1)))
					: new Page(orders, null));
	}

	/**
	 * The statement that reads a page: only the filters that are set, so the planner sees
	 * each combination as it is.
	 * @param query the query
	 * @param rows the most rows to read
	 * @return the SQL and the values of its parameters
	 */
	static Select select(OrderQuery query, int rows) {
		List<Object> values = new ArrayList<>(6);
		StringBuilder sql = new StringBuilder("SELECT ").append(COLUMNS)
			.append(" FROM orders WHERE sender_user_id = ")
			.append(parameter(values, query.sender()));
		if (query.status() != null) {
			sql.append(" AND state = ").append(parameter(values, query.status().name()));
		}
		if (query.channel() != null) {
			sql.append(" AND channel = ").append(parameter(values, query.channel().name()));
		}
		if (query.since() != null) {
			sql.append(" AND created_at >= ").append(parameter(values, query.since()));
		}
		if (query.after() != null) {
			// A row comparison: an index condition on (created_at, order_id), not a
			// filter.
			sql.append(" AND (created_at, order_id) < (")
				.append(parameter(values, query.after().createdAt()))
				.append(", ")
				.append(parameter(values, query.after().orderId()))
				.append(')');
		}
		sql.append(" ORDER BY created_at DESC, order_id DESC LIMIT ").append(parameter(values, rows));
		return new Select(sql.toString(), values);
	}

	private static String parameter(List<Object> values, Object value) {
		values.add(value);
		return "$" + values.size();
	}

	/**
	 * A page of orders.
	 *
	 * @param orders the orders, newest first
	 * @param next where the next page starts, or {@code null} on the last page
	 */
	public record Page(List<StoredOrder> orders, OrderQuery.Position next) {

	}

	/**
	 * A statement and its parameters' values, in order.
	 *
	 * @param sql the statement
	 * @param values the values of {@code $1}, {@code $2}, ...
	 */
	record Select(String sql, List<Object> values) {

	}

}
