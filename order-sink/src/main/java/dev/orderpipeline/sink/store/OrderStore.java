package dev.orderpipeline.sink.store;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

import dev.orderpipeline.contracts.OrderPlaced;
import dev.orderpipeline.contracts.OrderStatus;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Mono;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.r2dbc.core.Parameter;
import org.springframework.stereotype.Component;

/**
 * Writes orders: a whole batch in one multi-row
 * {@code INSERT ... ON CONFLICT DO NOTHING}, one statement and so one transaction, so an
 * order already stored is never stored again. An order id that was stored before with a
 * different body keeps its first body; the collision is reported.
 */
@Component
public class OrderStore {

	private static final Log logger = LogFactory.getLog(OrderStore.class);

	private static final String INSERT = "INSERT INTO orders "
			+ "(order_id, medication_id, sender_user_id, status, channel, created_at, updated_at, trace_id) VALUES ";

	private static final String ON_CONFLICT = " ON CONFLICT (order_id) DO NOTHING RETURNING order_id";

	private static final int PARAMETERS_PER_ROW = 8;

	private final DatabaseClient database;

	private final OrderRepository repository;

	public OrderStore(DatabaseClient database, OrderRepository repository) {
		this.database = database;
		this.repository = repository;
	}

	/**
	 * Stores orders in one statement.
	 * @param orders the orders, at least one
	 * @return what was stored once the statement committed
	 */
	public Mono<StoreResult> store(List<OrderPlaced> orders) {
		return storeRows(orders.stream().map((order) -> new Row(order, null)).toList());
	}

	/**
	 * Stores orders in one statement, each with the trace it came in.
	 * @param rows the orders with their trace ids, at least one
	 * @return what was stored once the statement committed
	 */
	public Mono<StoreResult> storeRows(List<Row> rows) {
		// Every value bound at once: each single bind copies the bindings made so far.
		List<Object> values = new ArrayList<>(rows.size() * PARAMETERS_PER_ROW);
		for (Row row : rows) {
			OrderPlaced order = row.order();
			values.add(order.orderId());
			values.add(order.medicationId());
			values.add(order.senderUserId());
			values.add(order.status().stream().map(OrderStatus::name).toArray(String[]::new));
			values.add(order.channel().name());
			values.add(order.createdAt());
			values.add(order.lastChangedAt());
			values.add(Parameter.fromOrEmpty(row.traceId(), String.class));
		}
		List<OrderPlaced> orders = rows.stream().map(Row::order).toList();
		return this.database.sql(insertStatement(rows.size()))
			.bindValues(values)
			.map((row) -> row.get(0, UUID.class))
			.all()
			.collect(Collectors.toSet())
			.flatMap((inserted) -> result(orders, inserted));
	}

	private Mono<StoreResult> result(List<OrderPlaced> orders, Set<UUID> inserted) {
		Map<UUID, OrderPlaced> skipped = orders.stream()
			.filter((order) -> !inserted.contains(order.orderId()))
			.collect(Collectors.toMap(OrderPlaced::orderId, Function.identity(), (first, again) -> first));
		if (skipped.isEmpty()) {
			return Mono.just(new StoreResult(inserted.size(), 0, 0));
		}
		int duplicates = orders.size() - inserted.size();
		return this.repository.findAllById(skipped.keySet())
			.filter((stored) -> !stored.sameContentAs(skipped.get(stored.orderId())))
			.map(StoredOrder::orderId)
			.collect(Collectors.toCollection(HashSet::new))
			.map((conflicts) -> {
				conflicts.forEach((id) -> logger.warn("Order " + id
						+ " was received again with a different body (an Idempotency-Key reused for another order); "
						+ "the first body is kept"));
				return new StoreResult(inserted.size(), duplicates, conflicts.size());
			});
	}

	private static String insertStatement(int rows) {
		StringBuilder sql = new StringBuilder(INSERT.length() + rows * 40 + ON_CONFLICT.length()).append(INSERT);
		for (int row = 0; row < rows; row++) {
			int p = row * PARAMETERS_PER_ROW;
			sql.append((row > 0) ? ", (" : "(");
			for (int i = 1; i < PARAMETERS_PER_ROW; i++) {
				sql.append('$').append(p + i).append(", ");
			}
			sql.append('$').append(p + PARAMETERS_PER_ROW).append(')');
		}
		return sql.append(ON_CONFLICT).toString();
	}

	/**
	 * An order to store and the W3C trace it came in.
	 *
	 * @param order the order
	 * @param traceId the 32-hex-digit trace id, or {@code null} for an order that came
	 * without a trace
	 */
	public record Row(OrderPlaced order, String traceId) {

	}

	/**
	 * The outcome of a write.
	 *
	 * @param stored orders newly stored
	 * @param duplicates orders that were already stored (redeliveries and retries)
	 * @param conflicts of the duplicates, those whose stored body differs
	 */
	public record StoreResult(int stored, int duplicates, int conflicts) {

	}

}
