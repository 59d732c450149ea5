package dev.orderpipeline.sink.lifecycle;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;

import dev.orderpipeline.contracts.OrderChannel;
import dev.orderpipeline.contracts.OrderLifecycle;
import dev.orderpipeline.contracts.OrderPlaced;
import dev.orderpipeline.contracts.OrderStatus;
import dev.orderpipeline.contracts.StatusChangeRequested;
import dev.orderpipeline.sink.consuming.DeadLetters;
import dev.orderpipeline.sink.lifecycle.Decision.Outcome;
import dev.orderpipeline.sink.lifecycle.Decision.Refusal;
import dev.orderpipeline.sink.store.OrderRepository;
import dev.orderpipeline.sink.store.OrderStore;
import dev.orderpipeline.sink.store.StoredOrder;
import dev.orderpipeline.testsupport.TestDatabase;
import dev.orderpipeline.testsupport.TestSigning;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.pool.ConnectionPoolConfiguration;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.ConnectionFactoryOptions;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.cloud.stream.binder.test.EnableTestBinder;
import org.springframework.r2dbc.connection.R2dbcTransactionManager;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

/**
 * Status changes decided against the test run's PostgreSQL: applied on the version they
 * name, kept aside until it arrives, refused with a reason, each decided once, whatever
 * the order of delivery and however many sinks decide them.
 */
@SpringBootTest(properties = "spring.main.web-application-type=none")
@EnableTestBinder
@DeadLetters.Mocked
class StatusChangesTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(20);

	@Autowired
	private StatusChanges changes;

	@Autowired
	private StatusHistory history;

	@Autowired
	private OrderStore store;

	@Autowired
	private OrderRepository repository;

	@Autowired
	private DatabaseClient database;

	@DynamicPropertySource
	static void database(DynamicPropertyRegistry registry) {
		TestDatabase.shared().register(registry);
		TestSigning.properties().forEach((name, value) -> registry.add(name, () -> value));
	}

	@Test
	void aPharmacistsChangeOnTheCurrentVersionMovesTheOrderOneVersionOn() {
		OrderPlaced order = placed("user-1");
		StatusChangeRequested approve = pharmacist(order, OrderStatus.APPROVED, 1);
		assertThat(decide(approve)).containsExactly(Decision.applied(approve.changeId()));
		StoredOrder stored = stored(order);
		assertThat(stored.state()).isEqualTo(OrderStatus.APPROVED);
		assertThat(stored.version()).isEqualTo(2);
		assertThat(stored.status()).as("the legacy list as sent").containsExactly(OrderStatus.PENDING);
		assertThat(historyOf(order)).singleElement().satisfies((entry) -> {
			assertThat(entry.outcome()).isEqualTo(Outcome.APPLIED);
			assertThat(entry.from()).isEqualTo(OrderStatus.PENDING);
			assertThat(entry.to()).isEqualTo(OrderStatus.APPROVED);
			assertThat(entry.version()).isEqualTo(2);
			assertThat(entry.actor()).isEqualTo("pharmacist-1");
			assertThat(entry.reason()).isEqualTo("checked");
		});
	}

	@Test
	void theWholeLifecycleThenTheSendersLateCancelIsRefusedAsIllegal() {
		OrderPlaced order = placed("user-1");
		decide(pharmacist(order, OrderStatus.APPROVED, 1));
		decide(pharmacist(order, OrderStatus.DISPATCHED, 2));
		decide(pharmacist(order, OrderStatus.DELIVERED, 3));
		StatusChangeRequested cancel = sender(order, 4);
		assertThat(decide(cancel)).singleElement().satisfies((decision) -> {
			assertThat(decision.refusal()).isEqualTo(Refusal.ILLEGAL);
			assertThat(decision.detail()).isEqualTo("a DELIVERED order cannot become CANCELLED");
		});
		assertThat(historyOf(order)).extracting(StatusHistory.Entry::outcome)
			.containsExactly(Outcome.APPLIED, Outcome.APPLIED, Outcome.APPLIED, Outcome.REFUSED);
		assertThat(stored(order).state()).isEqualTo(OrderStatus.DELIVERED);
		assertThat(stored(order).version()).isEqualTo(4);
	}

	@Test
	void aChangeOnAnOlderVersionIsRefusedAsStale() {
		OrderPlaced order = placed("user-1");
		decide(pharmacist(order, OrderStatus.APPROVED, 1));
		assertThat(decide(pharmacist(order, OrderStatus.REJECTED, 1))).singleElement()
			.satisfies((decision) -> assertThat(decision.refusal()).isEqualTo(Refusal.STALE));
		assertThat(stored(order).state()).isEqualTo(OrderStatus.APPROVED);
	}

	@Test
	void stepsTheLifecycleLacksAreRefusedAsIllegal() {
		OrderPlaced order = placed("user-1");
		assertThat(decide(admin(order, OrderStatus.DELIVERED, 1))).singleElement()
			.satisfies((decision) -> assertThat(decision.refusal()).isEqualTo(Refusal.ILLEGAL));
		assertThat(stored(order).version()).isOne();
	}

	@Test
	void changesTheCallerMayNotMakeAreRefusedAsForbidden() {
		OrderPlaced order = placed("user-1");
		StatusChangeRequested othersCancel = change(order, OrderStatus.CANCELLED, 1, "user-2", List.of());
		StatusChangeRequested pharmacistsCancel = pharmacist(order, OrderStatus.CANCELLED, 1);
		StatusChangeRequested sendersApproval = change(order, OrderStatus.APPROVED, 1, "user-1", List.of());
		for (StatusChangeRequested change : List.of(othersCancel, pharmacistsCancel, sendersApproval)) {
			assertThat(decide(change)).singleElement()
				.satisfies((decision) -> assertThat(decision.refusal()).isEqualTo(Refusal.FORBIDDEN));
		}
		decide(pharmacist(order, OrderStatus.APPROVED, 1));
		assertThat(decide(sender(order, 2))).as("a sender does not cancel an approved order")
			.singleElement()
			.satisfies((decision) -> assertThat(decision.refusal()).isEqualTo(Refusal.FORBIDDEN));
		assertThat(decide(admin(order, OrderStatus.CANCELLED, 2))).extracting(Decision::outcome)
			.containsExactly(Outcome.APPLIED);
	}

	@Test
	void theSenderCancelsItsPendingOrder() {
		OrderPlaced order = placed("user-1");
		assertThat(decide(sender(order, 1))).extracting(Decision::outcome).containsExactly(Outcome.APPLIED);
		assertThat(stored(order).state()).isEqualTo(OrderStatus.CANCELLED);
	}

	@Test
	void aChangeDecidedTwiceIsDecidedOnce() {
		OrderPlaced order = placed("user-1");
		StatusChangeRequested approve = pharmacist(order, OrderStatus.APPROVED, 1);
		decide(approve);
		assertThat(decide(approve)).containsExactly(Decision.duplicate(approve.changeId()));
		assertThat(historyOf(order)).hasSize(1);
		assertThat(stored(order).version()).isEqualTo(2);
	}

	@Test
	void aChangeAheadOfItsOrderWaitsAndIsAppliedWhenTheOrderArrives() {
		OrderPlaced order = order("user-1");
		StatusChangeRequested approve = pharmacist(order, OrderStatus.APPROVED, 1);
		assertThat(decide(approve)).containsExactly(Decision.waiting(approve.changeId()));
		assertThat(this.history.of(order.orderId()).block(TIMEOUT)).singleElement()
			.satisfies((entry) -> assertThat(entry.outcome()).isEqualTo(Outcome.WAITING));
		store(order);
		assertThat(this.changes.released(List.of(order.orderId())).block(TIMEOUT))
			.containsExactly(Decision.applied(approve.changeId()));
		assertThat(stored(order).state()).isEqualTo(OrderStatus.APPROVED);
		assertThat(historyOf(order)).extracting(StatusHistory.Entry::outcome).containsExactly(Outcome.APPLIED);
	}

	@Test
	void changesDeliveredOutOfOrderWaitForTheirBaseAndApplyInOrder() {
		OrderPlaced order = placed("user-1");
		StatusChangeRequested approve = pharmacist(order, OrderStatus.APPROVED, 1);
		StatusChangeRequested dispatch = pharmacist(order, OrderStatus.DISPATCHED, 2);
		StatusChangeRequested deliver = pharmacist(order, OrderStatus.DELIVERED, 3);
		assertThat(decide(deliver)).extracting(Decision::outcome).containsExactly(Outcome.WAITING);
		assertThat(decide(dispatch)).extracting(Decision::outcome).containsExactly(Outcome.WAITING);
		assertThat(decide(approve)).containsExactly(Decision.applied(approve.changeId()),
				Decision.applied(dispatch.changeId()), Decision.applied(deliver.changeId()));
		assertThat(stored(order).state()).isEqualTo(OrderStatus.DELIVERED);
		assertThat(historyOf(order)).extracting(StatusHistory.Entry::version).containsExactly(2, 3, 4);
	}

	@Test
	void aChangeWhoseBaseNeverArrivesIsRefusedAsExpiredByTheSweep() {
		OrderPlaced order = placed("user-1");
		StatusChangeRequested early = pharmacist(order, OrderStatus.DISPATCHED, 2);
		decide(early);
		StatusChanges later = new StatusChanges(this.database, transactions(this.database),
				new StatusChangeProperties(Duration.ofMinutes(10), Duration.ofSeconds(5)),
				Clock.offset(Clock.systemUTC(), Duration.ofMinutes(11)), new SimpleMeterRegistry());
		assertThat(later.sweep().block(TIMEOUT)).filteredOn((decision) -> decision.changeId().equals(early.changeId()))
			.singleElement()
			.satisfies((decision) -> assertThat(decision.refusal()).isEqualTo(Refusal.EXPIRED));
		assertThat(historyOf(order)).singleElement()
			.satisfies((entry) -> assertThat(entry.detail())
				.isEqualTo("version 2 of the order did not arrive within PT10M"));
	}

	/**
	 * Two sinks, each with connections of its own, decide the same changes delivered to
	 * both in shuffled orders (every change twice), at the same time, while half of the
	 * orders arrive meanwhile (stored by one sink, which then decides what waited for
	 * them) and the other sink sweeps. Every order ends delivered at version 4 with its
	 * three changes applied once each, and of two approvals made on the same version
	 * exactly one is applied.
	 */
	@Test
	void twoSinksDecidingShuffledChangesLoseNoneAndApplyNoneTwice() {
		List<OrderPlaced> orders = IntStream.range(0, 20).mapToObj((i) -> order("user-" + i)).toList();
		List<OrderPlaced> late = orders.subList(10, 20);
		orders.subList(0, 10).forEach(this::store);
		List<StatusChangeRequested> all = new ArrayList<>();
		List<StatusChangeRequested> rivals = new ArrayList<>();
		for (OrderPlaced order : orders) {
			all.add(pharmacist(order, OrderStatus.APPROVED, 1));
			all.add(pharmacist(order, OrderStatus.DISPATCHED, 2));
			all.add(pharmacist(order, OrderStatus.DELIVERED, 3));
		}
		OrderPlaced contested = placed("user-contested");
		rivals.add(pharmacist(contested, OrderStatus.APPROVED, 1));
		rivals.add(pharmacist(contested, OrderStatus.REJECTED, 1));
		all.addAll(rivals);
		try (Sink first = new Sink(); Sink second = new Sink()) {
			List<StatusChangeRequested> toFirst = new ArrayList<>(all);
			List<StatusChangeRequested> toSecond = new ArrayList<>(all);
			Collections.shuffle(toFirst);
			Collections.shuffle(toSecond);
			Flux<?> arriving = Flux.fromIterable(late)
				.concatMap((order) -> this.store.store(List.of(order))
					.then(first.changes().released(List.of(order.orderId()))));
			Flux<?> sweeping = Flux.interval(Duration.ofMillis(20))
				.take(25)
				.onBackpressureDrop()
				.concatMap((tick) -> second.changes().sweep());
			Flux.merge(first.decideAll(toFirst), second.decideAll(toSecond), arriving, sweeping)
				.blockLast(TIMEOUT.multipliedBy(3));
			// A change kept aside while its order was being stored elsewhere is the
			// sweep's.
			await().atMost(TIMEOUT).until(() -> {
				first.changes().sweep().block(TIMEOUT);
				return waiting(orders) == 0;
			});
		}
		for (OrderPlaced order : orders) {
			StoredOrder stored = stored(order);
			assertThat(stored.state()).as(order.senderUserId()).isEqualTo(OrderStatus.DELIVERED);
			assertThat(stored.version()).isEqualTo(4);
			assertThat(historyOf(order)).extracting(StatusHistory.Entry::outcome, StatusHistory.Entry::version)
				.containsExactly(tuple(Outcome.APPLIED, 2), tuple(Outcome.APPLIED, 3), tuple(Outcome.APPLIED, 4));
		}
		assertThat(historyOf(contested)).hasSize(2)
			.extracting(StatusHistory.Entry::outcome)
			.containsExactlyInAnyOrder(Outcome.APPLIED, Outcome.REFUSED);
		assertThat(stored(contested).version()).isEqualTo(2);
	}

	private long waiting(List<OrderPlaced> orders) {
		return this.database.sql("SELECT count(*) FROM order_status_pending WHERE order_id = ANY($1)")
			.bind(0, orders.stream().map(OrderPlaced::orderId).toArray(UUID[]::new))
			.map((row) -> row.get(0, Long.class))
			.one()
			.block(TIMEOUT);
	}

	/**
	 * A sink of its own: its own connection pool and transactions.
	 */
	private static final class Sink implements AutoCloseable {

		private final ConnectionPool pool;

		private final StatusChanges changes;

		Sink() {
			TestDatabase database = TestDatabase.shared();
			this.pool = new ConnectionPool(ConnectionPoolConfiguration
				.builder(ConnectionFactories.get(ConnectionFactoryOptions.parse(database.r2dbcUrl())
					.mutate()
					.option(ConnectionFactoryOptions.USER, database.user())
					.option(ConnectionFactoryOptions.PASSWORD, database.password())
					.build()))
				.maxSize(4)
				.build());
			DatabaseClient client = DatabaseClient.create(this.pool);
			this.changes = new StatusChanges(client, new R2dbcTransactionManager(this.pool),
					new StatusChangeProperties(Duration.ofMinutes(10), Duration.ofSeconds(5)), Clock.systemUTC(),
					new SimpleMeterRegistry());
		}

		StatusChanges changes() {
			return this.changes;
		}

		Flux<List<Decision>> decideAll(List<StatusChangeRequested> changes) {
			// Several at once, as a sink's consumers would.
			return Flux.fromIterable(changes).publishOn(Schedulers.parallel()).flatMap(this.changes::decide, 4);
		}

		@Override
		public void close() {
			this.pool.dispose();
		}

	}

	private static R2dbcTransactionManager transactions(DatabaseClient client) {
		return new R2dbcTransactionManager(client.getConnectionFactory());
	}

	private List<Decision> decide(StatusChangeRequested change) {
		return this.changes.decide(change).block(TIMEOUT);
	}

	private List<StatusHistory.Entry> historyOf(OrderPlaced order) {
		return this.history.of(order.orderId()).block(TIMEOUT);
	}

	private StoredOrder stored(OrderPlaced order) {
		return this.repository.findById(order.orderId()).block(TIMEOUT);
	}

	private OrderPlaced placed(String sender) {
		OrderPlaced order = order(sender);
		store(order);
		return order;
	}

	private void store(OrderPlaced order) {
		assertThat(this.store.store(List.of(order)).block(TIMEOUT).stored()).isOne();
	}

	private static OrderPlaced order(String sender) {
		return new OrderPlaced(UUID.randomUUID(), "med-1", sender + "-" + UUID.randomUUID(),
				List.of(OrderStatus.PENDING), Instant.now(), OrderChannel.API);
	}

	private static StatusChangeRequested pharmacist(OrderPlaced order, OrderStatus to, int base) {
		return change(order, to, base, "pharmacist-1", List.of(OrderLifecycle.PHARMACIST));
	}

	private static StatusChangeRequested admin(OrderPlaced order, OrderStatus to, int base) {
		return change(order, to, base, "admin-1", List.of(OrderLifecycle.ADMIN));
	}

	private static StatusChangeRequested sender(OrderPlaced order, int base) {
		return change(order, OrderStatus.CANCELLED, base, order.senderUserId(), List.of());
	}

	private static StatusChangeRequested change(OrderPlaced order, OrderStatus to, int base, String actor,
			List<String> roles) {
		return new StatusChangeRequested(UUID.randomUUID(), order.orderId(), to, base, actor, roles, "checked",
				Instant.now());
	}

}
