package dev.orderpipeline.sink.store;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import dev.orderpipeline.contracts.NewOrder;
import dev.orderpipeline.contracts.OrderChannel;
import dev.orderpipeline.contracts.OrderPlaced;
import dev.orderpipeline.contracts.OrderStatus;
import dev.orderpipeline.sink.consuming.DeadLetters;
import dev.orderpipeline.testsupport.TestDatabase;
import dev.orderpipeline.testsupport.TestSigning;
import io.r2dbc.spi.R2dbcException;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.cloud.stream.binder.test.EnableTestBinder;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The store against the test run's PostgreSQL, migrated by Flyway at start.
 */
@SpringBootTest(properties = "spring.main.web-application-type=none")
@EnableTestBinder
@DeadLetters.Mocked
class OrderStoreTests {

	@Autowired
	private OrderStore store;

	@Autowired
	private OrderRepository repository;

	@DynamicPropertySource
	static void database(DynamicPropertyRegistry registry) {
		TestDatabase.shared().register(registry);
		TestSigning.properties().forEach((name, value) -> registry.add(name, () -> value));
	}

	@Test
	void storesABatchInOneStatementAndReadsEachOrderBack() {
		Instant start = Instant.now().minusSeconds(1);
		OrderPlaced first = order("med-1", OrderChannel.API);
		OrderPlaced second = order("med-2", OrderChannel.LEGACY_QUEUE);
		this.store.store(List.of(first, second))
			.as(StepVerifier::create)
			.expectNext(new OrderStore.StoreResult(2, 0, 0))
			.verifyComplete();
		this.repository.findById(second.orderId()).as(StepVerifier::create).assertNext((stored) -> {
			assertThat(stored.medicationId()).isEqualTo("med-2");
			assertThat(stored.senderUserId()).isEqualTo(second.senderUserId());
			assertThat(stored.status()).containsExactly(OrderStatus.PENDING, OrderStatus.APPROVED);
			assertThat(stored.channel()).isEqualTo(OrderChannel.LEGACY_QUEUE);
			assertThat(stored.createdAt()).isEqualTo(second.createdAt());
			assertThat(stored.updatedAt()).isEqualTo(second.createdAt());
			assertThat(stored.storedAt()).isBetween(start, Instant.now().plusSeconds(1));
		}).verifyComplete();
	}

	@Test
	void aMigratedOrderKeepsTheLegacyRowsTimesAndIsMarkedMigrated() {
		Instant created = Instant.parse("2024-03-18T09:41:07.512Z");
		Instant updated = Instant.parse("2024-03-19T10:00:00.250Z");
		OrderPlaced migrated = new NewOrder("med-1", "user-" + UUID.randomUUID(), null)
			.toMigratedEvent(UUID.randomUUID().toString(), created, updated);
		this.store.store(List.of(migrated))
			.as(StepVerifier::create)
			.expectNext(new OrderStore.StoreResult(1, 0, 0))
			.verifyComplete();
		this.repository.findById(migrated.orderId()).as(StepVerifier::create).assertNext((stored) -> {
			assertThat(stored.channel()).isEqualTo(OrderChannel.LEGACY_MIGRATION);
			assertThat(stored.createdAt()).isEqualTo(created);
			assertThat(stored.updatedAt()).isEqualTo(updated);
		}).verifyComplete();
	}

	@Test
	void anOrderStoredTwiceIsStoredOnce() {
		OrderPlaced order = order("med-1", OrderChannel.API);
		this.store.store(List.of(order)).as(StepVerifier::create).expectNextCount(1).verifyComplete();
		this.store.store(List.of(order, order))
			.as(StepVerifier::create)
			.expectNext(new OrderStore.StoreResult(0, 2, 0))
			.verifyComplete();
		assertThat(TestDatabase.shared().countOrders("order_id = '" + order.orderId() + "'")).isOne();
	}

	@Test
	void anOrderIdReusedWithADifferentBodyKeepsTheFirstBodyAndIsCounted() {
		OrderPlaced first = order("med-first", OrderChannel.API);
		OrderPlaced other = new OrderPlaced(first.orderId(), "med-other", first.senderUserId(), first.status(),
				Instant.now(), OrderChannel.API);
		this.store.store(List.of(first)).as(StepVerifier::create).expectNextCount(1).verifyComplete();
		this.store.store(List.of(other))
			.as(StepVerifier::create)
			.expectNext(new OrderStore.StoreResult(0, 1, 1))
			.verifyComplete();
		this.repository.findById(first.orderId())
			.map(StoredOrder::medicationId)
			.as(StepVerifier::create)
			.expectNext("med-first")
			.verifyComplete();
	}

	@Test
	void eachOrderKeepsItsOwnCreationTime() {
		OrderPlaced early = order("med-1", OrderChannel.API, Instant.parse("2026-01-01T10:00:00.123456Z"));
		OrderPlaced late = order("med-2", OrderChannel.API, Instant.parse("2026-06-01T10:00:00Z"));
		this.store.store(List.of(early, late)).as(StepVerifier::create).expectNextCount(1).verifyComplete();
		this.repository.findAllById(List.of(early.orderId(), late.orderId()))
			.map(StoredOrder::createdAt)
			.collectList()
			.as(StepVerifier::create)
			.assertNext((times) -> assertThat(times).containsExactlyInAnyOrder(early.createdAt(), late.createdAt()))
			.verifyComplete();
	}

	@Test
	void aValuePostgresqlRefusesFailsTheStatementWithADataSqlState() {
		OrderPlaced outOfRange = order("med-1", OrderChannel.API, Instant.parse("+300000-01-01T00:00:00Z"));
		this.store.store(List.of(order("med-2", OrderChannel.API), outOfRange))
			.as(StepVerifier::create)
			.verifyErrorSatisfies((ex) -> assertThat(rootR2dbc(ex).getSqlState()).startsWith("22"));
	}

	@Test
	void storesABatchOfTwoHundredInOneStatement() {
		List<OrderPlaced> batch = java.util.stream.IntStream.range(0, 200)
			.mapToObj((i) -> order("med-" + i, OrderChannel.API))
			.toList();
		this.store.store(batch)
			.as(StepVerifier::create)
			.expectNext(new OrderStore.StoreResult(200, 0, 0))
			.verifyComplete();
	}

	private static R2dbcException rootR2dbc(Throwable ex) {
		for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
			if (cause instanceof R2dbcException r2dbc) {
				return r2dbc;
			}
		}
		throw new AssertionError("No R2dbcException in " + ex);
	}

	private static OrderPlaced order(String medication, OrderChannel channel) {
		return order(medication, channel, Instant.parse("2026-11-24T08:00:00.654321Z"));
	}

	private static OrderPlaced order(String medication, OrderChannel channel, Instant createdAt) {
		return new OrderPlaced(UUID.randomUUID(), medication, "user-" + UUID.randomUUID(),
				List.of(OrderStatus.PENDING, OrderStatus.APPROVED), createdAt, channel);
	}

}
