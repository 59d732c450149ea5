package dev.orderpipeline.sink.consuming;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.orderpipeline.contracts.NewOrder;
import dev.orderpipeline.contracts.OrderEvents;
import dev.orderpipeline.contracts.OrderLifecycle;
import dev.orderpipeline.contracts.OrderPlaced;
import dev.orderpipeline.contracts.OrderSignature;
import dev.orderpipeline.contracts.OrderStatus;
import dev.orderpipeline.contracts.StatusChangeRequested;
import dev.orderpipeline.sink.OrderSinkProperties;
import dev.orderpipeline.sink.deadletters.DeadLetterPublisher;
import dev.orderpipeline.sink.kafka.KafkaReceivedMessages;
import dev.orderpipeline.sink.lifecycle.StatusChanges;
import dev.orderpipeline.sink.rabbit.RabbitReceivedMessages;
import dev.orderpipeline.sink.store.OrderStore.StoreResult;
import dev.orderpipeline.sink.store.OrderStore;
import dev.orderpipeline.testsupport.TestSigning;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.r2dbc.spi.R2dbcDataIntegrityViolationException;
import io.r2dbc.spi.R2dbcNonTransientResourceException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mockito.InOrder;
import org.mockito.invocation.InvocationOnMock;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.kafka.support.KafkaHeaders;
import org.springframework.messaging.Message;
import org.springframework.messaging.support.MessageBuilder;
import org.springframework.util.unit.DataSize;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyList;
import static org.mockito.BDDMockito.given;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;

/**
 * The sink function called directly, with the store and the dead-letter queue played by
 * the test.
 */
class OrderBatchConsumerTests {

	private static final OrderSinkProperties properties = new OrderSinkProperties("q.dlq", "q.dlx",
			Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofMillis(1), Duration.ofMillis(10), 2, null,
			Duration.ofMillis(20), DataSize.ofKilobytes(64), null);

	private final OrderStore store = mock(OrderStore.class);

	private final StatusChanges changes = mock(StatusChanges.class);

	private final List<Object> events = new ArrayList<>();

	private final List<DeadLetter> deadLetters = new ArrayList<>();

	private DeadLetterPublisher deadLetterPublisher = (body, headers, failure) -> this.deadLetters
		.add(new DeadLetter(new String(body, UTF_8), failure));

	private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

	@BeforeEach
	void noChangeWaits() {
		given(this.changes.released(anyList())).willReturn(Mono.just(List.of()));
	}

	@Test
	void storesAWholeBatchInOneWrite() {
		given(this.store.storeRows(anyList())).willAnswer((call) -> stored(ordersOf(call)));
		consumer().accept(batch(order("a"), order("b"), legacy("c")));
		verify(this.store, times(1)).storeRows(anyList());
		assertThat(this.meters.counter("orders.stored").count()).isEqualTo(3);
		assertThat(this.deadLetters).isEmpty();
	}

	@Test
	void deadLettersAnUndecodableMessageWithItsCauseAndStoresItsNeighbours() {
		List<List<OrderPlaced>> writes = new ArrayList<>();
		given(this.store.storeRows(anyList())).willAnswer((call) -> {
			writes.add(ordersOf(call));
			return stored(ordersOf(call));
		});
		consumer().accept(batch(order("a"), "{not json", "{\"medicationId\": \"m\"}", order("b")));
		assertThat(writes).singleElement().satisfies((write) -> assertThat(write).hasSize(2));
		assertThat(this.deadLetters).extracting(DeadLetter::body)
			.containsExactly("{not json", "{\"medicationId\": \"m\"}");
		assertThat(this.deadLetters).extracting((letter) -> letter.failure().kind()).containsOnly("undecodable");
		assertThat(this.deadLetters.get(1).failure().message()).contains("sender_userId");
		assertThat(this.meters.counter("orders.dead.lettered", "reason", "undecodable").count()).isEqualTo(2);
	}

	@Test
	void retriesATransientFailureUntilItPassesReportingNotReadyMeanwhile() {
		AtomicInteger attempts = new AtomicInteger();
		given(this.store.storeRows(anyList())).willAnswer((call) -> (attempts.incrementAndGet() <= 3)
				? Mono.error(new R2dbcNonTransientResourceException("Connection refused", "08001"))
				: stored(ordersOf(call)));
		consumer().accept(batch(order("a")));
		assertThat(attempts).hasValue(4);
		assertThat(this.deadLetters).isEmpty();
		assertThat(this.events).containsExactly(ReadinessState.REFUSING_TRAFFIC, ReadinessState.ACCEPTING_TRAFFIC);
	}

	@Test
	void retriesATimeoutAndAnUnexpectedFailureTooRatherThanDeadLettering() {
		AtomicInteger attempts = new AtomicInteger();
		given(this.store.storeRows(anyList())).willAnswer((call) -> switch (attempts.incrementAndGet()) {
			case 1 -> Mono.never();
			case 2 -> Mono.error(new IllegalStateException("pool closed"));
			default -> stored(ordersOf(call));
		});
		OrderSinkProperties quickTimeout = new OrderSinkProperties("q.dlq", "q.dlx", Duration.ofMillis(50),
				Duration.ofSeconds(5), Duration.ofMillis(1), Duration.ofMillis(10), 2, null, Duration.ofMillis(20),
				DataSize.ofKilobytes(64), null);
		consumer(quickTimeout).accept(batch(order("a")));
		assertThat(attempts).hasValue(3);
		assertThat(this.deadLetters).isEmpty();
	}

	@Test
	void whenTheDatabaseRefusesABatchStoresItsOrdersOneByOneAndDeadLettersTheRefusedOne() {
		given(this.store.storeRows(anyList())).willAnswer((call) -> {
			List<OrderPlaced> orders = ordersOf(call);
			if (orders.stream().anyMatch((order) -> order.medicationId().equals("refused"))) {
				return Mono.error(new R2dbcDataIntegrityViolationException("timestamp out of range", "22008"));
			}
			return stored(orders);
		});
		consumer().accept(batch(order("a"), order("refused"), order("b")));
		assertThat(this.meters.counter("orders.stored").count()).isEqualTo(2);
		assertThat(this.deadLetters).singleElement().satisfies((letter) -> {
			assertThat(letter.body()).contains("refused");
			assertThat(letter.failure().kind()).isEqualTo("refused");
			assertThat(letter.failure().message()).contains("22008");
		});
	}

	@Test
	void retriesDeadLetteringUntilTheBrokerConfirms() {
		given(this.store.storeRows(anyList())).willAnswer((call) -> stored(ordersOf(call)));
		AtomicInteger attempts = new AtomicInteger();
		DeadLetterPublisher flaky = this.deadLetterPublisher;
		this.deadLetterPublisher = (body, headers, failure) -> {
			if (attempts.incrementAndGet() < 3) {
				throw new IllegalStateException("no confirm");
			}
			flaky.publish(body, headers, failure);
		};
		consumer().accept(batch("garbage"));
		assertThat(attempts).hasValue(3);
		assertThat(this.deadLetters).hasSize(1);
	}

	@Test
	void aShutdownDuringAnOutageLeavesTheBatchForRedeliveryAndDeadLettersNothing() throws Exception {
		given(this.store.storeRows(anyList()))
			.willReturn(Mono.error(new R2dbcNonTransientResourceException("Connection refused", "08001")));
		OrderBatchConsumer consumer = consumer();
		CompletableFuture<Void> running = CompletableFuture.runAsync(() -> consumer.accept(batch(order("a"))));
		await().until(() -> this.events.contains(ReadinessState.REFUSING_TRAFFIC));
		consumer.stop();
		assertThatExceptionOfType(Exception.class).isThrownBy(() -> running.get(10, TimeUnit.SECONDS))
			.havingRootCause()
			.isInstanceOf(R2dbcNonTransientResourceException.class);
		assertThat(running).isCompletedExceptionally();
		assertThat(this.deadLetters).isEmpty();
	}

	@Test
	void aFailureOutlastingTheRetryHoldHandsTheBatchBackForRedeliveryAndDeadLettersNothing() {
		given(this.store.storeRows(anyList()))
			.willReturn(Mono.error(new R2dbcNonTransientResourceException("Connection refused", "08001")));
		OrderSinkProperties held = new OrderSinkProperties("q.dlq", "q.dlx", Duration.ofSeconds(5),
				Duration.ofSeconds(5), Duration.ofMillis(1), Duration.ofMillis(10), 2, Duration.ofMillis(50),
				Duration.ofMillis(20), DataSize.ofKilobytes(64), null);
		assertThatExceptionOfType(OutageRetry.RedeliveryException.class)
			.isThrownBy(() -> consumer(held).accept(batch(order("a"), "{not json")))
			.withRootCauseInstanceOf(R2dbcNonTransientResourceException.class);
		assertThat(this.deadLetters).isEmpty();
		assertThat(this.events).containsExactly(ReadinessState.REFUSING_TRAFFIC);
	}

	@Test
	void usesEachMessagesOwnHeaders() {
		given(this.store.storeRows(anyList())).willAnswer((call) -> stored(ordersOf(call)));
		UUID first = UUID.randomUUID();
		UUID second = UUID.randomUUID();
		List<OrderPlaced> written = new ArrayList<>();
		given(this.store.storeRows(anyList())).willAnswer((call) -> {
			written.addAll(ordersOf(call));
			return stored(ordersOf(call));
		});
		String body = "{\"medicationId\": \"m\", \"sender_userId\": \"u\"}";
		Message<List<byte[]>> batch = MessageBuilder.withPayload(List.of(body.getBytes(UTF_8), body.getBytes(UTF_8)))
			.setHeader(RabbitReceivedMessages.BATCHED_HEADERS,
					List.of(Map.of(RabbitReceivedMessages.MESSAGE_ID_HEADER, first.toString()),
							Map.of(RabbitReceivedMessages.MESSAGE_ID_HEADER, second.toString())))
			.build();
		consumer().accept(batch);
		assertThat(written).extracting(OrderPlaced::orderId)
			.containsExactly(NewOrder.idForMessage(first.toString()), NewOrder.idForMessage(second.toString()));
	}

	@Test
	void onKafkaARecordIsNamedByItsPlaceInTheLogAndASignedOneVerifiesWithItsHeaderAsBytes() {
		List<OrderPlaced> written = new ArrayList<>();
		given(this.store.storeRows(anyList())).willAnswer((call) -> {
			written.addAll(ordersOf(call));
			return stored(ordersOf(call));
		});
		byte[] legacy = "{\"medicationId\": \"m\", \"sender_userId\": \"u\"}".getBytes(UTF_8);
		byte[] signed = order("a").getBytes(UTF_8);
		// As the Kafka binder delivers a batch: a producer other than Spring's wrote the
		// signature as bytes.
		Message<List<byte[]>> batch = MessageBuilder.withPayload(List.of(legacy, signed))
			.setHeader(KafkaHeaders.BATCH_CONVERTED_HEADERS,
					List.of(Map.of(), Map.of(OrderSignature.HEADER, TestSigning.sign(signed).getBytes(UTF_8))))
			.setHeader(KafkaHeaders.RECEIVED_TOPIC, List.of("orders", "orders"))
			.setHeader(KafkaHeaders.RECEIVED_PARTITION, List.of(2, 2))
			.setHeader(KafkaHeaders.OFFSET, List.of(7L, 8L))
			.build();
		OrderBatchConsumer consumer = consumer(properties, new KafkaReceivedMessages());
		// Delivered twice (a rebalance before the commit): the same ids both times.
		consumer.accept(batch);
		consumer.accept(batch);
		assertThat(this.deadLetters).isEmpty();
		UUID legacyId = NewOrder.idForMessage("orders-2@7");
		UUID signedId = UUID.fromString(JsonMapper.builder().build().readTree(signed).get("orderId").asString());
		assertThat(written).extracting(OrderPlaced::orderId).containsExactly(legacyId, signedId, legacyId, signedId);
	}

	@Test
	void decidesAStatusChangeAfterTheOrdersOfItsBatchAndTheChangesTheyReleased() {
		given(this.store.storeRows(anyList())).willAnswer((call) -> stored(ordersOf(call)));
		given(this.changes.decide(any())).willReturn(Mono.just(List.of()));
		String order = order("a");
		UUID orderId = UUID.fromString(JsonMapper.builder().build().readTree(order).get("orderId").asString());
		StatusChangeRequested approve = change(orderId);
		consumer().accept(batch(List.of(changeMessage(statusChange(approve), true), orderMessage(order))));
		InOrder inOrder = inOrder(this.store, this.changes);
		inOrder.verify(this.store).storeRows(anyList());
		inOrder.verify(this.changes).released(List.of(orderId));
		inOrder.verify(this.changes).decide(approve);
		assertThat(this.deadLetters).isEmpty();
	}

	@Test
	void deadLettersAnUnsignedOrBadlySignedStatusChangeAsUnverifiedAndDecidesNothing() {
		StatusChangeRequested change = change(UUID.randomUUID());
		String body = statusChange(change);
		Map<String, Object> badlySigned = Map.of(OrderSignature.HEADER, TestSigning.sign("{}".getBytes(UTF_8)),
				OrderEvents.TYPE_HEADER, OrderEvents.STATUS_CHANGE_REQUESTED);
		consumer().accept(batch(List.of(changeMessage(body, false), new Object[] { body, badlySigned })));
		assertThat(this.deadLetters).hasSize(2)
			.allSatisfy((letter) -> assertThat(letter.failure().kind()).isEqualTo("unverified"));
		verify(this.changes, never()).decide(any());
		assertThat(this.meters.counter("orders.dead.lettered", "reason", "unverified").count()).isEqualTo(2);
	}

	@Test
	void retriesAStatusChangeThroughADatabaseOutage() {
		AtomicInteger attempts = new AtomicInteger();
		given(this.changes.decide(any())).willAnswer((call) -> (attempts.incrementAndGet() < 3)
				? Mono.error(new R2dbcNonTransientResourceException("Connection refused", "08001"))
				: Mono.just(List.of()));
		consumer().accept(batch(List.<Object[]>of(changeMessage(statusChange(change(UUID.randomUUID())), true))));
		assertThat(attempts).hasValue(3);
		assertThat(this.deadLetters).isEmpty();
	}

	private static StatusChangeRequested change(UUID orderId) {
		return new StatusChangeRequested(UUID.randomUUID(), orderId, OrderStatus.APPROVED, 1, "pharmacist-1",
				List.of(OrderLifecycle.PHARMACIST), null, Instant.parse("2026-12-01T08:00:00Z"));
	}

	private static String statusChange(StatusChangeRequested change) {
		return JsonMapper.builder().build().writeValueAsString(change);
	}

	/**
	 * A status change message: its body, and its headers as order-source sets them, the
	 * signature left out when asked.
	 */
	private static Object[] changeMessage(String body, boolean signed) {
		Map<String, Object> headers = new HashMap<>();
		headers.put(OrderEvents.TYPE_HEADER, OrderEvents.STATUS_CHANGE_REQUESTED);
		if (signed) {
			headers.put(OrderSignature.HEADER, TestSigning.sign(body.getBytes(UTF_8)));
		}
		return new Object[] { body, headers };
	}

	private static Object[] orderMessage(String body) {
		return new Object[] { body, Map.of(OrderSignature.HEADER, TestSigning.sign(body.getBytes(UTF_8))) };
	}

	@SuppressWarnings("unchecked")
	private static Message<List<byte[]>> batch(List<Object[]> messages) {
		List<byte[]> payload = new ArrayList<>();
		List<Map<String, Object>> headers = new ArrayList<>();
		for (Object[] message : messages) {
			payload.add(((String) message[0]).getBytes(UTF_8));
			headers.add((Map<String, Object>) message[1]);
		}
		return MessageBuilder.withPayload(payload).setHeader(RabbitReceivedMessages.BATCHED_HEADERS, headers).build();
	}

	private OrderBatchConsumer consumer() {
		return consumer(properties);
	}

	private OrderBatchConsumer consumer(OrderSinkProperties settings) {
		return consumer(settings, new RabbitReceivedMessages());
	}

	private OrderBatchConsumer consumer(OrderSinkProperties settings, ReceivedMessages messages) {
		return new OrderBatchConsumer(
				new InboundOrderDecoder(JsonMapper.builder().build(), Clock.systemUTC(), TestSigning.signature(),
						messages, null),
				messages, this.store, this.changes,
				(body, headers, failure) -> this.deadLetterPublisher.publish(body, headers, failure), settings,
				(event) -> {
					if (event instanceof AvailabilityChangeEvent<?> change) {
						this.events.add(change.getState());
					}
				}, this.meters, MessageTracing.none());
	}

	private static List<OrderPlaced> ordersOf(InvocationOnMock call) {
		List<OrderStore.Row> rows = call.getArgument(0);
		return rows.stream().map(OrderStore.Row::order).toList();
	}

	private static Mono<StoreResult> stored(List<OrderPlaced> orders) {
		return Mono.just(new StoreResult(orders.size(), 0, 0));
	}

	/**
	 * A batch as the binder delivers it, order-source's messages signed.
	 */
	private static Message<List<byte[]>> batch(String... bodies) {
		List<byte[]> payload = new ArrayList<>();
		List<Map<String, Object>> headers = new ArrayList<>();
		for (String body : bodies) {
			byte[] bytes = body.getBytes(UTF_8);
			payload.add(bytes);
			headers
				.add(body.contains("\"orderId\"") ? Map.of(OrderSignature.HEADER, TestSigning.sign(bytes)) : Map.of());
		}
		return MessageBuilder.withPayload(payload).setHeader(RabbitReceivedMessages.BATCHED_HEADERS, headers).build();
	}

	private static String order(String medication) {
		return "{\"orderId\": \"" + UUID.randomUUID() + "\", \"medicationId\": \"" + medication
				+ "\", \"sender_userId\": \"u\", \"status\": [\"PENDING\"], \"createdAt\": \"2026-11-24T08:00:00Z\", \"channel\": \"API\"}";
	}

	private static String legacy(String medication) {
		return "{\"medicationId\": \"" + medication + "\", \"sender_userId\": \"u\"}";
	}

	private record DeadLetter(String body, DeadLetterPublisher.Failure failure) {
	}

}
