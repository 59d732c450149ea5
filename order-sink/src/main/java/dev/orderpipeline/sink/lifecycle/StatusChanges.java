package dev.orderpipeline.sink.lifecycle;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import dev.orderpipeline.contracts.OrderLifecycle;
import dev.orderpipeline.contracts.OrderStatus;
import dev.orderpipeline.contracts.StatusChangeRequested;
import dev.orderpipeline.sink.lifecycle.Decision.Outcome;
import dev.orderpipeline.sink.lifecycle.Decision.Refusal;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import io.r2dbc.spi.Readable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.r2dbc.core.Parameter;
import org.springframework.stereotype.Component;
import org.springframework.transaction.ReactiveTransactionManager;
import org.springframework.transaction.reactive.TransactionalOperator;

/**
 * Decides status changes, each in a transaction that holds its order's row: a change is
 * applied only on the version of the order it names, and then the order moves one version
 * on; a change whose order or base version has not arrived is kept aside
 * ({@code order_status_pending}) and decided when it arrives, or refused as
 * {@code EXPIRED} after the configured wait; a stale, illegal or forbidden change is
 * refused. Every decision goes to {@code order_status_history} once per change id, so a
 * redelivered change, or one two sinks receive, is decided once. Nothing here depends on
 * the order in which changes arrive.
 */
@Component
public class StatusChanges {

	private static final Log logger = LogFactory.getLog(StatusChanges.class);

	private static final String PENDING_COLUMNS = "change_id, order_id, to_state, reason, actor, roles, base_version, "
			+ "requested_at, received_at";

	private static final int SWEEP_BATCH = 500;

	private final DatabaseClient database;

	private final TransactionalOperator transactions;

	private final StatusChangeProperties properties;

	private final Clock clock;

	private final Map<Outcome, Counter> outcomes = new EnumMap<>(Outcome.class);

	public StatusChanges(DatabaseClient database, ReactiveTransactionManager transactionManager,
			StatusChangeProperties properties, Clock clock, MeterRegistry meters) {
		this.database = database;
		this.transactions = TransactionalOperator.create(transactionManager);
		this.properties = properties;
		this.clock = clock;
		for (Outcome outcome : Outcome.values()) {
			this.outcomes.put(outcome,
					Counter.builder("orders.status.changes")
						.description("Status changes decided, by outcome")
						.tag("outcome", outcome.name().toLowerCase())
						.register(meters));
		}
	}

	/**
	 * Decides a change just received, and any waiting change it lets through.
	 * @param change the change
	 * @return the decisions, once committed
	 */
	public Mono<List<Decision>> decide(StatusChangeRequested change) {
		return decideInTransaction(new Received(change, null));
	}

	/**
	 * Decides the changes waiting for orders just stored.
	 * @param orderIds the orders
	 * @return the decisions, once committed
	 */
	public Mono<List<Decision>> released(Collection<UUID> orderIds) {
		return decideAll(this.database
			.sql("SELECT " + PENDING_COLUMNS
					+ " FROM order_status_pending WHERE order_id = ANY($1) ORDER BY received_at")
			.bind(0, orderIds.toArray(UUID[]::new))
			.map(StatusChanges::received)
			.all());
	}

	/**
	 * Decides the waiting changes again: those whose base arrived through another sink or
	 * a change decided elsewhere, and those past their wait.
	 * @return the decisions, once committed
	 */
	public Mono<List<Decision>> sweep() {
		// Only the changes that can be decided now: their base arrived, or they waited
		// too long. The others stay as they are, however many wait.
		Instant expired = this.clock.instant().minus(this.properties.waitLimit());
		return decideAll(this.database
			.sql("SELECT " + PENDING_COLUMNS.replace("change_id, order_id", "p.change_id, p.order_id")
					+ " FROM order_status_pending p LEFT JOIN orders o ON o.order_id = p.order_id "
					+ "WHERE o.version >= p.base_version OR p.received_at < $1 ORDER BY p.received_at LIMIT "
					+ SWEEP_BATCH)
			.bind(0, expired)
			.map(StatusChanges::received)
			.all());
	}

	private Mono<List<Decision>> decideAll(Flux<Received> changes) {
		return changes.collectList()
			.flatMapMany(Flux::fromIterable)
			// One change that cannot be decided does not hold up the others.
			.concatMap((received) -> decideInTransaction(received).onErrorResume((ex) -> {
				logger.warn("Deciding status change " + received.change().changeId() + " failed (tried again later): "
						+ ex);
				return Mono.just(List.of());
			}))
			.flatMapIterable((decisions) -> decisions)
			.collectList();
	}

	private Mono<List<Decision>> decideInTransaction(Received received) {
		return decideLocked(received).as(this.transactions::transactional)
			.doOnNext(
					(decisions) -> decisions.forEach((decision) -> this.outcomes.get(decision.outcome()).increment()));
	}

	private Mono<List<Decision>> decideLocked(Received received) {
		StatusChangeRequested change = received.change();
		// Decisions on one order take turns, whether its row exists yet or not (a row
		// lock needs the row).
		return this.database.sql("SELECT pg_advisory_xact_lock($1)")
			.bind(0, lockKey(change.orderId()))
			.then()
			.then(this.database.sql("SELECT state, version, sender_user_id FROM orders WHERE order_id = $1 FOR UPDATE")
				.bind(0, change.orderId())
				.map((row) -> Optional.of(new Current(OrderStatus.valueOf(row.get("state", String.class)),
						row.get("version", Integer.class), row.get("sender_user_id", String.class))))
				.one()
				.defaultIfEmpty(Optional.empty()))
			.flatMap(
					(order) -> this.database.sql("SELECT 1 FROM order_status_history WHERE change_id = $1")
						.bind(0, change.changeId())
						.map((row) -> true)
						.one()
						.defaultIfEmpty(false)
						.flatMap((decided) -> decided
								? forget(change).thenReturn(List.of(Decision.duplicate(change.changeId())))
								: decide(received, order)));
	}

	private Mono<List<Decision>> decide(Received received, Optional<Current> order) {
		StatusChangeRequested change = received.change();
		if (order.isEmpty() || order.get().version() < change.baseVersion()) {
			if (received.receivedAt() != null
					&& received.receivedAt().plus(this.properties.waitLimit()).isBefore(this.clock.instant())) {
				String detail = order.isEmpty() ? "the order did not arrive within " + this.properties.waitLimit()
						: "version " + change.baseVersion() + " of the order did not arrive within "
								+ this.properties.waitLimit();
				return refuse(change, order.orElse(null), Refusal.EXPIRED, detail);
			}
			// A change decided again while it still waits is nothing new.
			return keep(change)
				.thenReturn((received.receivedAt() != null) ? List.of() : List.of(Decision.waiting(change.changeId())));
		}
		Current current = order.get();
		if (current.version() > change.baseVersion()) {
			return refuse(change, current, Refusal.STALE, "the order is at version " + current.version()
					+ " and the change was made on version " + change.baseVersion() + ": read the order again");
		}
		if (!OrderLifecycle.allows(current.state(), change.status())) {
			return refuse(change, current, Refusal.ILLEGAL,
					"a " + current.state() + " order cannot become " + change.status());
		}
		if (!OrderLifecycle.mayMake(current.state(), change.status(), change.pharmacist(), change.admin(),
				change.actor().equals(current.sender()))) {
			return refuse(change, current, Refusal.FORBIDDEN, forbidden(change.status()));
		}
		return apply(change, current);
	}

	private static String forbidden(OrderStatus to) {
		return (to == OrderStatus.CANCELLED)
				? "only its sender, while it is PENDING, or an administrator cancels an order"
				: "only a pharmacist or an administrator makes an order " + to;
	}

	private Mono<List<Decision>> apply(StatusChangeRequested change, Current current) {
		int version = current.version() + 1;
		Mono<Void> moved = this.database
			.sql("UPDATE orders SET state = $1, version = $2, updated_at = clock_timestamp() WHERE order_id = $3")
			.bind(0, change.status().name())
			.bind(1, version)
			.bind(2, change.orderId())
			.then();
		// The changes that waited for this version, decided on it in turn: the first that
		// applies moves the order on, and the others become stale.
		Flux<Received> waiting = this.database
			.sql("SELECT " + PENDING_COLUMNS + " FROM order_status_pending WHERE order_id = $1 AND base_version = $2 "
					+ "ORDER BY received_at")
			.bind(0, change.orderId())
			.bind(1, version)
			.map(StatusChanges::received)
			.all();
		// The history first: a change some other transaction decided meanwhile (its row
		// committed while this one waited) is not decided again.
		return record(change, current.sender(), current.state(), null, null, version)
			.flatMap((recorded) -> !recorded ? Mono.just(List.of(Decision.duplicate(change.changeId())))
					: moved.then(forget(change))
						.then(waiting.collectList())
						.flatMapMany(Flux::fromIterable)
						.concatMap(this::decideLocked)
						.flatMapIterable((decisions) -> decisions)
						.collectList()
						.map((followers) -> {
							List<Decision> decisions = new ArrayList<>(followers.size() + 1);
							decisions.add(Decision.applied(change.changeId()));
							decisions.addAll(followers);
							return decisions;
						}));
	}

	private Mono<List<Decision>> refuse(StatusChangeRequested change, Current current, Refusal refusal, String detail) {
		return record(change, (current != null) ? current.sender() : null, (current != null) ? current.state() : null,
				refusal, detail, null)
			.flatMap((recorded) -> forget(change)
				.thenReturn(recorded ? List.of(Decision.refused(change.changeId(), refusal, detail))
						: List.of(Decision.duplicate(change.changeId()))));
	}

	/**
	 * Records a decision, once per change.
	 * @return whether this call recorded it (not some other decision before)
	 */
	private Mono<Boolean> record(StatusChangeRequested change, String sender, OrderStatus from, Refusal refusal,
			String detail, Integer version) {
		return this.database.sql("INSERT INTO order_status_history (change_id, order_id, from_state, to_state, "
				+ "outcome, refusal, detail, reason, actor, roles, base_version, version, requested_at, sender_user_id) "
				+ "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) ON CONFLICT (change_id) DO NOTHING "
				+ "RETURNING change_id")
			.bindValues(List.of(change.changeId(), change.orderId(),
					Parameter.fromOrEmpty((from != null) ? from.name() : null, String.class), change.status().name(),
					(refusal != null) ? Outcome.REFUSED.name() : Outcome.APPLIED.name(),
					Parameter.fromOrEmpty((refusal != null) ? refusal.name() : null, String.class),
					Parameter.fromOrEmpty(detail, String.class), Parameter.fromOrEmpty(change.reason(), String.class),
					change.actor(), change.roles().toArray(String[]::new), change.baseVersion(),
					Parameter.fromOrEmpty(version, Integer.class), change.requestedAt(),
					Parameter.fromOrEmpty(sender, String.class)))
			.map((row) -> true)
			.one()
			.defaultIfEmpty(false);
	}

	/**
	 * The advisory lock of an order: its id folded to 64 bits (two orders sharing one
	 * only take turns).
	 */
	private static long lockKey(UUID orderId) {
		return orderId.getMostSignificantBits() ^ orderId.getLeastSignificantBits();
	}

	private Mono<Void> keep(StatusChangeRequested change) {
		return this.database
			.sql("INSERT INTO order_status_pending (change_id, order_id, to_state, reason, actor, roles, "
					+ "base_version, requested_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (change_id) DO NOTHING")
			.bindValues(List.of(change.changeId(), change.orderId(), change.status().name(),
					Parameter.fromOrEmpty(change.reason(), String.class), change.actor(),
					change.roles().toArray(String[]::new), change.baseVersion(), change.requestedAt()))
			.then();
	}

	private Mono<Void> forget(StatusChangeRequested change) {
		return this.database.sql("DELETE FROM order_status_pending WHERE change_id = $1")
			.bind(0, change.changeId())
			.then();
	}

	private static Received received(Readable row) {
		StatusChangeRequested change = new StatusChangeRequested(row.get("change_id", UUID.class),
				row.get("order_id", UUID.class), OrderStatus.valueOf(row.get("to_state", String.class)),
				row.get("base_version", Integer.class), row.get("actor", String.class),
				Arrays.asList(row.get("roles", String[].class)), row.get("reason", String.class),
				row.get("requested_at", Instant.class));
		return new Received(change, row.get("received_at", Instant.class));
	}

	/**
	 * A change and when it was first kept aside.
	 */
	private record Received(StatusChangeRequested change, Instant receivedAt) {
	}

	/**
	 * The order as stored, its row locked.
	 */
	private record Current(OrderStatus state, int version, String sender) {
	}

}
