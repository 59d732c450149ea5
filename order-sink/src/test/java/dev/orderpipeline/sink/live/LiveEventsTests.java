package dev.orderpipeline.sink.live;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import dev.orderpipeline.contracts.OrderChannel;
import dev.orderpipeline.contracts.OrderLifecycle;
import dev.orderpipeline.contracts.OrderPlaced;
import dev.orderpipeline.contracts.OrderStatus;
import dev.orderpipeline.contracts.StatusChangeRequested;
import dev.orderpipeline.sink.consuming.DeadLetters;
import dev.orderpipeline.sink.lifecycle.StatusChanges;
import dev.orderpipeline.sink.live.EventLog.Scope;
import dev.orderpipeline.sink.store.OrderStore;
import dev.orderpipeline.testsupport.TestDatabase;
import dev.orderpipeline.testsupport.TestSigning;
import dev.orderpipeline.testsupport.TestTokens;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.ChannelOption;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.cloud.stream.binder.test.EnableTestBinder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.ReactiveTransactionManager;
import org.springframework.transaction.reactive.TransactionalOperator;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Live streams served by the sink on the test run's PostgreSQL, read over HTTP: replayed
 * then followed, resumed without a gap while two writers commit out of order, a client
 * that stops reading cut off with its position, the limits on open streams, and shutdown.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "management.server.port=0", "orders.sink.live.buffer=16", "orders.sink.live.page=16",
				"orders.sink.live.max-streams=6", "orders.sink.live.max-streams-per-reader=4",
				"orders.sink.live.heartbeat=1s" })
@EnableTestBinder
@DeadLetters.Mocked
@Import(LiveEventsTests.SmallSendBuffers.class)
class LiveEventsTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	private static final ParameterizedTypeReference<Map<String, Object>> LINE = new ParameterizedTypeReference<>() {
	};

	private static final String PHARMACIST = TestTokens.shared()
		.claims("pharmacist-1")
		.roles(OrderLifecycle.PHARMACIST)
		.sign();

	@Value("${local.server.port}")
	private int port;

	@Autowired
	private OrderStore store;

	@Autowired
	private StatusChanges changes;

	@Autowired
	private LiveEvents live;

	@Autowired
	private EventLog log;

	@Autowired
	private JsonMapper json;

	@Autowired
	private DatabaseClient database;

	@Autowired
	private ReactiveTransactionManager transactions;

	@Autowired
	private MeterRegistry meters;

	/**
	 * Small socket send buffers, so a client that stops reading backs the stream up after
	 * a few kilobytes, not after the megabytes the kernel would otherwise take.
	 */
	@TestConfiguration(proxyBeanMethods = false)
	static class SmallSendBuffers {

		@Bean
		NettyServerCustomizer smallSendBuffers() {
			return (server) -> server.childOption(ChannelOption.SO_SNDBUF, 4096);
		}

	}

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		TestTokens.shared().register(registry);
		TestDatabase.shared().register(registry);
		TestSigning.properties().forEach((name, value) -> registry.add(name, () -> value));
	}

	@Test
	void anOrdersStreamReplaysItsEventsThenFollowsAnApprovalMadeAfterItSubscribed() {
		OrderPlaced order = order("user-1");
		store(List.of(order));
		List<Map<String, Object>> lines = new CopyOnWriteArrayList<>();
		Disposable following = lines("/orders/" + order.orderId() + "/events", PHARMACIST, null).subscribe(lines::add);
		try {
			await().atMost(TIMEOUT).until(() -> lines.size() >= 2);
			assertThat(lines.get(0)).containsEntry("event", "open");
			assertThat(lines.get(1)).containsEntry("event", "order-stored")
				.containsEntry("orderId", order.orderId().toString())
				.containsEntry("sender", order.senderUserId());
			StatusChangeRequested approve = new StatusChangeRequested(UUID.randomUUID(), order.orderId(),
					OrderStatus.APPROVED, 1, "pharmacist-1", List.of(OrderLifecycle.PHARMACIST), "checked",
					Instant.now());
			this.changes.decide(approve).block(TIMEOUT);
			await().atMost(TIMEOUT).until(() -> events(lines).size() >= 2);
			Map<String, Object> changed = events(lines).get(1);
			assertThat(changed).containsEntry("event", "status-changed");
			assertThat(changed.get("change")).asInstanceOf(InstanceOfAssertFactories.MAP)
				.containsEntry("outcome", "APPLIED")
				.containsEntry("to", "APPROVED")
				.containsEntry("version", 2);
			// A reconnect after the first event gets the second, and nothing else.
			List<Map<String, Object>> resumed = lines("/orders/" + order.orderId() + "/events", PHARMACIST,
					(String) lines.get(1).get("id"))
				.filter((line) -> !"open".equals(line.get("event")))
				.take(1)
				.collectList()
				.block(TIMEOUT);
			assertThat(resumed).extracting((line) -> line.get("id")).containsExactly(changed.get("id"));
		}
		finally {
			following.dispose();
		}
	}

	@Test
	void aSenderMissesNothingAcrossReconnectsWhileTwoWritersCommitOutOfOrder() {
		String sender = "user-" + UUID.randomUUID();
		String token = TestTokens.shared().token(sender, "orders:read");
		List<OrderPlaced> written = new ArrayList<>();
		// Each writer holds its transaction open a random while after inserting, so a
		// later transaction often commits before an earlier one.
		TransactionalOperator transactional = TransactionalOperator.create(this.transactions);
		Flux<Void> writers = Flux.range(0, 2).flatMap((writer) -> Flux.range(0, 12).concatMap((batch) -> {
			List<OrderPlaced> orders = IntStream.range(0, 3).mapToObj((i) -> order(sender)).toList();
			synchronized (written) {
				written.addAll(orders);
			}
			return this.store.store(orders)
				.then(this.database.sql("SELECT pg_sleep(random() * 0.05)").then())
				.as(transactional::transactional);
		}));
		String first = (String) lines("/senders/" + sender + "/events", token, null).blockFirst(TIMEOUT).get("id");
		Disposable writing = writers.subscribe();
		List<String> received = new ArrayList<>();
		String after = first;
		// Reconnect after every few events, resuming after the last id received.
		while (received.size() < 72) {
			List<Map<String, Object>> events = lines("/senders/" + sender + "/events", token, after)
				.filter((line) -> "order-stored".equals(line.get("event")))
				.take(Math.min(5, 72 - received.size()))
				.collectList()
				.block(TIMEOUT);
			events.forEach((event) -> received.add((String) event.get("orderId")));
			after = (String) events.get(events.size() - 1).get("id");
		}
		writing.dispose();
		assertThat(received).doesNotHaveDuplicates()
			.containsExactlyInAnyOrderElementsOf(written.stream().map((order) -> order.orderId().toString()).toList());
	}

	@Test
	void anEventOfATransactionThatCommittedIsHeldBackWhileAnOlderOneRuns() throws InterruptedException {
		String sender = "user-" + UUID.randomUUID();
		EventPosition start = this.log.now().block(TIMEOUT);
		OrderPlaced older = order(sender);
		OrderPlaced newer = order(sender);
		// The older transaction stores its order, then stays open until released.
		CountDownLatch inserted = new CountDownLatch(1);
		Sinks.Empty<Void> release = Sinks.empty();
		Disposable running = this.store.store(List.of(older))
			.doOnSuccess((result) -> inserted.countDown())
			.then(release.asMono())
			.as(TransactionalOperator.create(this.transactions)::transactional)
			.subscribe();
		assertThat(inserted.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
		store(List.of(newer));
		assertThat(this.log.after(Scope.sender(sender), start, 10).block(TIMEOUT).events())
			.as("the newer order is not readable while the older transaction runs")
			.isEmpty();
		release.tryEmitEmpty();
		await().atMost(TIMEOUT).until(running::isDisposed);
		// Another transaction on the cluster may still hold the horizon back a moment.
		await().atMost(TIMEOUT)
			.untilAsserted(() -> assertThat(this.log.after(Scope.sender(sender), start, 10).block(TIMEOUT).events())
				.extracting(LiveEvent::orderId)
				.containsExactly(older.orderId(), newer.orderId()));
	}

	/**
	 * A transaction that holds an id but writes no event (so it never notifies) holds
	 * back an order committed after it: the stream gets the order once it ends, read
	 * again without any notification.
	 */
	@Test
	void aStreamGetsAnEventHeldBackByATransactionThatNeverNotifies() throws InterruptedException {
		String sender = "user-" + UUID.randomUUID();
		String token = TestTokens.shared().token(sender, "orders:read");
		List<Map<String, Object>> lines = new CopyOnWriteArrayList<>();
		Disposable following = lines("/senders/" + sender + "/events", token, null).subscribe(lines::add);
		CountDownLatch holding = new CountDownLatch(1);
		Sinks.Empty<Void> release = Sinks.empty();
		Disposable older = this.database.sql("SELECT pg_current_xact_id()")
			.then()
			.doOnSuccess((done) -> holding.countDown())
			.then(release.asMono())
			.as(TransactionalOperator.create(this.transactions)::transactional)
			.subscribe();
		try {
			await().atMost(TIMEOUT).until(() -> !lines.isEmpty());
			assertThat(holding.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
			OrderPlaced order = order(sender);
			store(List.of(order));
			release.tryEmitEmpty();
			await().atMost(TIMEOUT).until(() -> events(lines).size() == 1);
			assertThat(events(lines).get(0)).containsEntry("orderId", order.orderId().toString());
		}
		finally {
			release.tryEmitEmpty();
			older.dispose();
			following.dispose();
		}
	}

	@Test
	void aClientThatStopsReadingIsCutOffWithItsPositionAndResumesFromIt() throws IOException {
		String sender = "user-" + UUID.randomUUID();
		String token = TestTokens.shared().token(sender, "orders:read");
		try (Socket socket = new Socket()) {
			socket.setReceiveBufferSize(4096);
			socket.connect(new InetSocketAddress("127.0.0.1", this.port));
			OutputStream out = socket.getOutputStream();
			out.write(("GET /senders/" + sender + "/events HTTP/1.1\r\nHost: localhost\r\n"
					+ "Accept: application/x-ndjson\r\nAuthorization: Bearer " + token + "\r\n\r\n")
				.getBytes(StandardCharsets.US_ASCII));
			out.flush();
			BufferedReader in = new BufferedReader(
					new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8), 256);
			String line;
			do {
				line = in.readLine();
			}
			while (line != null && !line.contains("\"open\""));
			double overflows = closed("overflow");
			// The client reads nothing more while 3,000 events are written for it.
			List<OrderPlaced> orders = IntStream.range(0, 3000).mapToObj((i) -> order(sender)).toList();
			for (int i = 0; i < orders.size(); i += 500) {
				store(orders.subList(i, i + 500));
			}
			await().atMost(TIMEOUT).until(() -> closed("overflow") > overflows);
			List<String> ids = new ArrayList<>();
			String closedAt = null;
			while ((line = in.readLine()) != null) {
				if (!line.startsWith("{")) {
					continue; // the chunks' sizes
				}
				JsonNode event = this.json.readTree(line);
				if (event.path("event").asString().equals("order-stored")) {
					ids.add(event.path("orderId").asString());
				}
				if (event.path("event").asString().equals("closed")) {
					assertThat(event.path("reason").asString()).isEqualTo("overflow");
					closedAt = event.path("id").asString();
					break;
				}
			}
			assertThat(closedAt).as("closed with a position").isNotNull();
			assertThat(ids).as("the sink stopped holding events for it long before all were written")
				.hasSizeLessThan(orders.size());
			List<String> rest = lines("/senders/" + sender + "/events", token, closedAt)
				.filter((event) -> "order-stored".equals(event.get("event")))
				.take(orders.size() - ids.size())
				.map((event) -> (String) event.get("orderId"))
				.collectList()
				.block(TIMEOUT);
			Set<String> all = new HashSet<>(ids);
			all.addAll(rest);
			assertThat(all).hasSize(orders.size());
		}
	}

	@Test
	void streamsBeyondTheLimitsAreRefusedWithProblems() {
		// The other tests' streams end on the sink a moment after their clients left.
		await().atMost(TIMEOUT).until(() -> this.meters.get("orders.live.streams").gauge().value() == 0);
		List<Disposable> open = new ArrayList<>();
		try {
			String sender = "user-" + UUID.randomUUID();
			String token = TestTokens.shared().token(sender, "orders:read");
			for (int i = 0; i < 4; i++) {
				open.add(follow("/senders/" + sender + "/events", token));
			}
			assertRefused("/senders/" + sender + "/events", token, HttpStatus.TOO_MANY_REQUESTS);
			open.add(follow("/senders/other/events", PHARMACIST));
			open.add(follow("/senders/other/events", PHARMACIST));
			assertRefused("/senders/other/events", PHARMACIST, HttpStatus.SERVICE_UNAVAILABLE);
		}
		finally {
			open.forEach(Disposable::dispose);
		}
		await().atMost(TIMEOUT).until(() -> this.meters.get("orders.live.streams").gauge().value() == 0);
	}

	@Test
	void onShutdownOpenStreamsAreClosedAtOnceWithTheirPositionAndNewOnesRefused() {
		String sender = "user-" + UUID.randomUUID();
		String token = TestTokens.shared().token(sender, "orders:read");
		List<Map<String, Object>> lines = new CopyOnWriteArrayList<>();
		Disposable following = lines("/senders/" + sender + "/events", token, null).subscribe(lines::add);
		try {
			await().atMost(TIMEOUT).until(() -> !lines.isEmpty());
			store(List.of(order(sender)));
			await().atMost(TIMEOUT).until(() -> lines.size() >= 2);
			this.live.stop();
			await().atMost(TIMEOUT).until(following::isDisposed);
			Map<String, Object> closed = lines.get(lines.size() - 1);
			assertThat(closed).containsEntry("event", "closed").containsEntry("reason", "shutdown");
			assertThat(EventPosition.parse((String) closed.get("id")))
				.as("the position covers the event received (and heartbeats may have moved it on)")
				.isGreaterThanOrEqualTo(EventPosition.parse((String) lines.get(1).get("id")));
			assertRefused("/senders/" + sender + "/events", token, HttpStatus.SERVICE_UNAVAILABLE);
		}
		finally {
			following.dispose();
			this.live.start();
		}
	}

	@Test
	void anIdleStreamSendsHeartbeatsWithItsPosition() {
		String token = TestTokens.shared().token("user-idle", "orders:read");
		List<Map<String, Object>> lines = lines("/senders/user-idle/events", token, null).take(3)
			.collectList()
			.block(TIMEOUT);
		assertThat(lines).extracting((line) -> line.get("event")).containsExactly("open", "heartbeat", "heartbeat");
		assertThat(lines).allSatisfy((line) -> assertThat((String) line.get("id")).matches("\\d+-\\d+"));
	}

	@Test
	void aBadPositionOneAheadOfEveryEventOrAnUnknownParameterIsAProblemNamingIt() {
		ResponseEntity<String> refused = WebClient.create("http://127.0.0.1:" + this.port)
			.get()
			.uri("/senders/user-1/events")
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + PHARMACIST)
			.header("Last-Event-ID", "yesterday")
			.exchangeToMono((response) -> response.toEntity(String.class))
			.block(TIMEOUT);
		assertThat(refused.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
		assertThat(refused.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
		assertThat(refused.getBody()).contains("\"field\":\"Last-Event-ID\"");
		ResponseEntity<String> ahead = WebClient.create("http://127.0.0.1:" + this.port)
			.get()
			.uri("/orders/{id}/events?after=999999999999-0", UUID.randomUUID())
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + PHARMACIST)
			.exchangeToMono((response) -> response.toEntity(String.class))
			.block(TIMEOUT);
		assertThat(ahead.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
		assertThat(ahead.getBody()).contains("\"field\":\"after\"").contains("ahead of every event");
		ResponseEntity<String> unknown = WebClient.create("http://127.0.0.1:" + this.port)
			.get()
			.uri("/senders/user-1/events?since=2026-01-01T00:00:00Z")
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + PHARMACIST)
			.exchangeToMono((response) -> response.toEntity(String.class))
			.block(TIMEOUT);
		assertThat(unknown.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
		assertThat(unknown.getBody()).contains("\"field\":\"since\"").contains("use after");
	}

	private double closed(String reason) {
		var counter = this.meters.find("orders.live.streams.closed").tag("reason", reason).counter();
		return (counter != null) ? counter.count() : 0;
	}

	private Disposable follow(String path, String token) {
		List<Map<String, Object>> lines = new CopyOnWriteArrayList<>();
		Disposable following = lines(path, token, null).subscribe(lines::add);
		await().atMost(TIMEOUT).until(() -> !lines.isEmpty());
		return following;
	}

	private void assertRefused(String path, String token, HttpStatus status) {
		ResponseEntity<String> refused = WebClient.create("http://127.0.0.1:" + this.port)
			.get()
			.uri(path)
			.accept(MediaType.APPLICATION_NDJSON)
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + token)
			.exchangeToMono((response) -> response.toEntity(String.class))
			.block(TIMEOUT);
		assertThat(refused.getStatusCode()).isEqualTo(status);
		assertThat(refused.getHeaders().getFirst(HttpHeaders.RETRY_AFTER)).isEqualTo("5");
		assertThat(refused.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
	}

	private Flux<Map<String, Object>> lines(String path, String token, String after) {
		return WebClient.create("http://127.0.0.1:" + this.port)
			.get()
			.uri((uri) -> uri.path(path).queryParamIfPresent("after", Optional.ofNullable(after)).build())
			.accept(MediaType.APPLICATION_NDJSON)
			.header(HttpHeaders.AUTHORIZATION, "Bearer " + token)
			.retrieve()
			.bodyToFlux(LINE);
	}

	private static List<Map<String, Object>> events(List<Map<String, Object>> lines) {
		return lines.stream().filter((line) -> line.containsKey("orderId")).toList();
	}

	private void store(List<OrderPlaced> orders) {
		assertThat(this.store.store(orders).block(TIMEOUT).stored()).isEqualTo(orders.size());
	}

	private static OrderPlaced order(String sender) {
		return new OrderPlaced(UUID.randomUUID(), "med-1", sender, List.of(OrderStatus.PENDING), Instant.now(),
				OrderChannel.API);
	}

}
