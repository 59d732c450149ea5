package dev.orderpipeline.sink.store;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;

import dev.orderpipeline.contracts.OrderChannel;
import dev.orderpipeline.contracts.OrderPlaced;
import dev.orderpipeline.contracts.OrderStatus;
import dev.orderpipeline.sink.consuming.DeadLetters;
import dev.orderpipeline.sink.store.OrderQuery.Position;
import dev.orderpipeline.testsupport.TestDatabase;
import dev.orderpipeline.testsupport.TestSigning;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.cloud.stream.binder.test.EnableTestBinder;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Keyset pages: stable while orders keep arriving, and served by the index once the table
 * is seeded and analysed (on the test run's shared database, whose other tests look only
 * at their own senders and orders).
 */
@SpringBootTest(properties = "spring.main.web-application-type=none")
@EnableTestBinder
@DeadLetters.Mocked
class OrderPagesTests {

	private static final String LARGE_SENDER = "seeded-hospital";

	private static final AtomicBoolean seeded = new AtomicBoolean();

	private static final Instant T0 = Instant.parse("2026-12-01T08:00:00.123456Z");

	@Autowired
	private OrderPages pages;

	@Autowired
	private OrderStore store;

	@Autowired
	private DatabaseClient client;

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		TestDatabase.shared().register(registry);
		TestSigning.properties().forEach((name, value) -> registry.add(name, () -> value));
	}

	/**
	 * Stable: across pages no order appears twice, and every order stored before the page
	 * that covers its place is listed, while orders are stored between the pages (newer
	 * than every page, inside pages already read, behind the cursor, on the same instant
	 * as the page boundary) and all the time by a writer of their own.
	 */
	@Test
	void pagesNeverRepeatAnOrderNorSkipOneStoredBeforeItsPlaceWasRead() {
		String sender = "pager-" + UUID.randomUUID();
		List<OrderPlaced> before = new ArrayList<>();
		// A third of them created at one instant: page boundaries fall inside ties.
		IntStream.range(0, 300)
			.mapToObj((i) -> order(sender, (i % 3 == 0) ? T0 : T0.plusMillis(randomBetween(-3_600_000, 3_600_000))))
			.forEach(before::add);
		store(before);
		Set<UUID> mustAppear = ids(before);
		AtomicBoolean paging = new AtomicBoolean(true);
		Disposable writer = Flux.range(0, Integer.MAX_VALUE)
			.takeWhile((i) -> paging.get())
			.concatMap((i) -> this.store
				.store(List.of(order(sender, T0.plusMillis(randomBetween(-3_600_000, 3_600_000))))))
			.subscribe();
		List<StoredOrder> listed = new ArrayList<>();
		Position cursor = null;
		int pagesRead = 0;
		try {
			do {
				OrderPages.Page page = this.pages.find(new OrderQuery(sender, null, null, null, cursor, 37))
					.block(Duration.ofSeconds(10));
				listed.addAll(page.orders());
				cursor = page.next();
				pagesRead++;
				if (cursor != null) {
					// Stored between this page and the next: those behind the cursor must
					// be
					// listed on a later page; those ahead of it are not looked for again.
					List<OrderPlaced> between = List.of(order(sender, Instant.now()),
							order(sender, T0.plusMillis(randomBetween(-3_600_000, 3_600_000))), order(sender, T0),
							order(sender, cursor.createdAt()));
					store(between);
					Position boundary = cursor;
					between.stream()
						.filter((order) -> compare(new Position(order.createdAt(), order.orderId()), boundary) < 0)
						.map(OrderPlaced::orderId)
						.forEach(mustAppear::add);
				}
			}
			while (cursor != null);
		}
		finally {
			paging.set(false);
			writer.dispose();
		}
		List<UUID> ids = listed.stream().map(StoredOrder::orderId).toList();
		assertThat(pagesRead).isGreaterThan(8);
		assertThat(ids).doesNotHaveDuplicates().containsAll(mustAppear);
		for (int i = 1; i < listed.size(); i++) {
			assertThat(compare(Position.of(listed.get(i)), Position.of(listed.get(i - 1)))).isNegative();
		}
	}

	@Test
	void filtersByLifecycleStatusChannelAndCreationTime() {
		String sender = "filtered-" + UUID.randomUUID();
		OrderPlaced approved = new OrderPlaced(UUID.randomUUID(), "med-1", sender,
				List.of(OrderStatus.PENDING, OrderStatus.APPROVED), T0, OrderChannel.API);
		OrderPlaced legacy = new OrderPlaced(UUID.randomUUID(), "med-1", sender, List.of(OrderStatus.APPROVED),
				T0.plusSeconds(60), OrderChannel.LEGACY_QUEUE);
		OrderPlaced old = new OrderPlaced(UUID.randomUUID(), "med-1", sender, List.of(OrderStatus.PENDING),
				T0.minusSeconds(3600), OrderChannel.API);
		store(List.of(approved, legacy, old, order("someone-else-" + UUID.randomUUID(), T0)));
		// As an applied approval leaves it; the legacy list stays as it was sent.
		this.client.sql("UPDATE orders SET state = 'APPROVED', version = 2 WHERE order_id = $1")
			.bind(0, approved.orderId())
			.then()
			.block(Duration.ofSeconds(10));
		assertThat(list(new OrderQuery(sender, null, null, null, null, 50))).containsExactly(legacy.orderId(),
				approved.orderId(), old.orderId());
		assertThat(list(new OrderQuery(sender, OrderStatus.APPROVED, null, null, null, 50)))
			.containsExactly(approved.orderId());
		assertThat(list(new OrderQuery(sender, OrderStatus.PENDING, null, null, null, 50)))
			.containsExactly(legacy.orderId(), old.orderId());
		assertThat(list(new OrderQuery(sender, null, OrderChannel.LEGACY_QUEUE, null, null, 50)))
			.containsExactly(legacy.orderId());
		assertThat(list(new OrderQuery(sender, null, null, T0, null, 50))).containsExactly(legacy.orderId(),
				approved.orderId());
	}

	/**
	 * On a table of 250,000 analysed orders (2,000 senders of 100 orders, one of 50,000),
	 * every combination of filters reads the index, with the sender, the creation time
	 * and the cursor as index conditions, never the whole table. The large sender's pages
	 * are read straight from the index, backwards, with no sort; for a small sender the
	 * planner may read its few orders and sort them.
	 */
	@ParameterizedTest
	@MethodSource("queries")
	void everyPageIsReadFromTheIndex(OrderQuery query) throws Exception {
		seedAndAnalyse();
		OrderPages.Select select = OrderPages.select(query, query.limit() + 1);
		String plan = this.client.sql("EXPLAIN (FORMAT JSON) " + select.sql())
			.bindValues(select.values())
			.map((row) -> row.get(0, String.class))
			.one()
			.block(Duration.ofSeconds(10));
		List<JsonNode> nodes = new ArrayList<>();
		collect(JsonMapper.builder().build().readTree(plan).get(0).get("Plan"), nodes);
		assertThat(nodes).as(plan).noneMatch((node) -> node.get("Node Type").stringValue().equals("Seq Scan"));
		assertThat(nodes).as(plan).filteredOn((node) -> node.has("Index Name")).singleElement().satisfies((scan) -> {
			assertThat(scan.get("Index Name").stringValue()).isEqualTo("orders_sender_created_order_idx");
			String condition = scan.get("Index Cond").stringValue();
			assertThat(condition).contains("sender_user_id = ");
			if (query.since() != null) {
				assertThat(condition).contains("created_at >= ");
			}
			if (query.after() != null) {
				assertThat(condition).contains("ROW(created_at, order_id) < ROW(");
			}
		});
		if (query.sender().equals(LARGE_SENDER)) {
			assertThat(nodes).as(plan)
				.extracting((node) -> node.get("Node Type").stringValue())
				.containsExactly("Limit", "Index Scan");
			assertThat(nodes.get(1).get("Scan Direction").stringValue()).isEqualTo("Backward");
		}
	}

	static List<OrderQuery> queries() {
		Position after = new Position(Instant.parse("2026-11-25T00:00:00Z"), UUID.randomUUID());
		Instant since = Instant.parse("2026-11-15T00:00:00Z");
		List<OrderQuery> queries = new ArrayList<>();
		for (String sender : List.of("seeded-sender-17", LARGE_SENDER)) {
			queries.add(new OrderQuery(sender, null, null, null, null, 50));
			queries.add(new OrderQuery(sender, null, null, null, after, 50));
			queries.add(new OrderQuery(sender, OrderStatus.PENDING, null, null, after, 50));
			queries.add(new OrderQuery(sender, null, OrderChannel.LEGACY_QUEUE, null, after, 50));
			queries.add(new OrderQuery(sender, null, null, since, after, 500));
			queries.add(new OrderQuery(sender, OrderStatus.PENDING, OrderChannel.API, since, after, 500));
		}
		return queries;
	}

	private static void collect(JsonNode node, List<JsonNode> nodes) {
		nodes.add(node);
		if (node.has("Plans")) {
			node.get("Plans").forEach((child) -> collect(child, nodes));
		}
	}

	private static void seedAndAnalyse() throws Exception {
		if (seeded.compareAndSet(false, true)) {
			try (Connection connection = TestDatabase.shared().connect();
					Statement statement = connection.createStatement()) {
				statement.execute(seed("'seeded-sender-' || (i % 2000)", "13 seconds", 200_000));
				statement.execute(seed("'" + LARGE_SENDER + "'", "37 seconds", 50_000));
				statement.execute("ANALYZE orders");
			}
		}
	}

	private static String seed(String sender, String interval, int rows) {
		return "INSERT INTO orders (order_id, medication_id, sender_user_id, status, channel, created_at, updated_at) "
				+ "SELECT gen_random_uuid(), 'med-' || (i % 97), " + sender + ", ARRAY['PENDING'], "
				+ "CASE WHEN i % 10 = 0 THEN 'LEGACY_QUEUE' ELSE 'API' END, "
				+ "timestamptz '2026-12-01' - i * interval '" + interval + "', timestamptz '2026-12-01' "
				+ "FROM generate_series(1, " + rows + ") AS i";
	}

	private List<UUID> list(OrderQuery query) {
		return this.pages.find(query)
			.map(OrderPages.Page::orders)
			.block(Duration.ofSeconds(10))
			.stream()
			.map(StoredOrder::orderId)
			.toList();
	}

	private void store(List<OrderPlaced> orders) {
		Mono<OrderStore.StoreResult> result = this.store.store(orders);
		assertThat(result.block(Duration.ofSeconds(10)).stored()).isEqualTo(orders.size());
	}

	/**
	 * The order of positions in PostgreSQL: by time, then by the id's bytes, unsigned
	 * (which {@link UUID#compareTo} is not).
	 */
	private static int compare(Position position, Position other) {
		int byTime = position.createdAt().compareTo(other.createdAt());
		if (byTime != 0) {
			return byTime;
		}
		int high = Long.compareUnsigned(position.orderId().getMostSignificantBits(),
				other.orderId().getMostSignificantBits());
		return (high != 0) ? high : Long.compareUnsigned(position.orderId().getLeastSignificantBits(),
				other.orderId().getLeastSignificantBits());
	}

	private static Set<UUID> ids(List<OrderPlaced> orders) {
		return new HashSet<>(orders.stream().map(OrderPlaced::orderId).toList());
	}

	private static long randomBetween(long from, long to) {
		return ThreadLocalRandom.current().nextLong(from, to);
	}

	private static OrderPlaced order(String sender, Instant createdAt) {
		return new OrderPlaced(UUID.randomUUID(), "med-1", sender, List.of(OrderStatus.PENDING), createdAt,
				OrderChannel.API);
	}

}
