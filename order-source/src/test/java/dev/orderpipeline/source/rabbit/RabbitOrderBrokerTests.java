package dev.orderpipeline.source.rabbit;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;

import dev.orderpipeline.contracts.GoldenSamples;
import dev.orderpipeline.contracts.OrderChannel;
import dev.orderpipeline.contracts.OrderPlaced;
import dev.orderpipeline.contracts.OrderSignature;
import dev.orderpipeline.contracts.OrderStatus;
import dev.orderpipeline.source.publishing.OrderPublisher;
import dev.orderpipeline.source.publishing.PublishFailedException;
import dev.orderpipeline.source.publishing.SendBatcher;
import dev.orderpipeline.source.publishing.SendBatcherTests;
import dev.orderpipeline.testsupport.TestSigning;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.core.ReturnedMessage;
import org.springframework.amqp.rabbit.connection.Connection;
import org.springframework.amqp.rabbit.connection.ConnectionBlockedEvent;
import org.springframework.amqp.rabbit.connection.ConnectionUnblockedEvent;
import org.springframework.amqp.rabbit.connection.CorrelationData;
import org.springframework.amqp.support.AmqpHeaders;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.cloud.stream.binder.test.EnableTestBinder;
import org.springframework.cloud.stream.binder.test.OutputDestination;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageHeaders;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;

/**
 * The publisher with the RabbitMQ adapter, against the test binder: the test plays the
 * broker by completing the confirm that travels with each message.
 */
@SpringBootTest(properties = { "orders.source.confirm-timeout=500ms", "orders.source.max-in-flight=2",
		"spring.main.web-application-type=none" })
@EnableTestBinder
class RabbitOrderBrokerTests {

	static final List<String> goldens = GoldenSamples.ORDER_PLACED;

	@Autowired
	private OrderPublisher publisher;

	@Autowired
	private OutputDestination output;

	@Autowired
	private SendBatcher sender;

	@Autowired
	private JsonMapper json;

	@Autowired
	private ApplicationEventPublisher events;

	@Autowired
	private MeterRegistry meters;

	@DynamicPropertySource
	static void signingKey(DynamicPropertyRegistry registry) {
		TestSigning.properties().forEach((name, value) -> registry.add(name, () -> value));
	}

	@AfterEach
	void drain() {
		this.events.publishEvent(new ConnectionUnblockedEvent(mock(Connection.class)));
		this.output.clear();
	}

	@ParameterizedTest
	@FieldSource("goldens")
	void publishesEveryGoldenExactlyAsTheContractWritesIt(String golden) {
		String text = GoldenSamples.read(golden);
		OrderPlaced order = this.json.readValue(text, OrderPlaced.class);
		StepVerifier.create(this.publisher.publish(order)).then(() -> {
			Message<byte[]> message = receive(order.orderId());
			assertThat(this.json.readTree(message.getPayload())).isEqualTo(this.json.readTree(text));
			complete(message, true);
		}).verifyComplete();
	}

	@Test
	void signsEveryMessageSoTheSinkCanVerifyIt() {
		OrderPlaced order = order();
		StepVerifier.create(this.publisher.publish(order)).then(() -> {
			Message<byte[]> message = receive(order.orderId());
			assertThat(TestSigning.signature()
				.verify(message.getHeaders().get(OrderSignature.HEADER), message.getPayload())).isNull();
			complete(message, true);
		}).verifyComplete();
	}

	@Test
	void sendsJsonWithTheOrderIdAsMessageId() {
		OrderPlaced order = order();
		StepVerifier.create(this.publisher.publish(order)).then(() -> {
			Message<byte[]> message = receive(order.orderId());
			assertThat(message.getHeaders().get(MessageHeaders.CONTENT_TYPE)).hasToString("application/json");
			assertThat(this.json.readValue(message.getPayload(), OrderPlaced.class)).isEqualTo(order);
			complete(message, true);
		}).verifyComplete();
	}

	@Test
	void countsConfirmedOrdersAndTimesTheConfirm() {
		double before = this.meters.counter("orders.confirmed").count();
		OrderPlaced order = order();
		StepVerifier.create(this.publisher.publish(order))
			.then(() -> complete(receive(order.orderId()), true))
			.verifyComplete();
		assertThat(this.meters.counter("orders.confirmed").count()).isEqualTo(before + 1);
		assertThat(this.meters.timer("orders.confirm").count()).isPositive();
	}

	@Test
	void failsWhenTheBrokerNacks() {
		OrderPlaced order = order();
		StepVerifier.create(this.publisher.publish(order))
			.then(() -> complete(receive(order.orderId()), false))
			.verifyErrorSatisfies((ex) -> assertReason(ex, PublishFailedException.Reason.BROKER_NACK));
	}

	@Test
	void failsWhenTheBrokerReturnsTheMessageAsUnroutable() {
		OrderPlaced order = order();
		StepVerifier.create(this.publisher.publish(order)).then(() -> {
			Message<byte[]> message = receive(order.orderId());
			correlation(message).setReturned(
					new ReturnedMessage(new org.springframework.amqp.core.Message(new byte[0], new MessageProperties()),
							312, "NO_ROUTE", "create_order_queue", "create_order_queue"));
			complete(message, true);
		}).verifyErrorSatisfies((ex) -> assertReason(ex, PublishFailedException.Reason.UNROUTABLE));
	}

	@Test
	void failsWithTheOrderIdWhenNoConfirmComesInTime() {
		OrderPlaced order = order();
		StepVerifier.create(this.publisher.publish(order)).verifyErrorSatisfies((ex) -> {
			assertReason(ex, PublishFailedException.Reason.CONFIRM_TIMEOUT);
			assertThat(((PublishFailedException) ex).getOrderId()).isEqualTo(order.orderId());
		});
	}

	@Test
	void neverPublishesAnOrderAnsweredBeforeItWasSentAndTakesItOutOfTheQueue() throws InterruptedException {
		CountDownLatch release = SendBatcherTests.holdTheSender(this.sender);
		try {
			StepVerifier.create(this.publisher.publish(order()))
				.verifyErrorSatisfies((ex) -> assertReason(ex, PublishFailedException.Reason.CONFIRM_TIMEOUT));
			assertThat(this.sender.queued()).as("the order out of time left the queue").isZero();
			Disposable gone = this.publisher.publish(order()).subscribe();
			assertThat(this.sender.queued()).isOne();
			gone.dispose();
			assertThat(this.sender.queued()).as("the order of a client gone left the queue").isZero();
		}
		finally {
			release.countDown();
		}
		assertThat(this.output.receive(500, "create_order_queue")).isNull();
	}

	@Test
	void refusesAtOnceWhenTooManyPublishesWaitForTheirConfirmAndFreesTheSlotsAfterwards() {
		StepVerifier
			.create(Mono.when(this.publisher.publish(order()), this.publisher.publish(order()),
					this.publisher.publish(order())))
			.verifyErrorSatisfies((ex) -> assertReason(ex, PublishFailedException.Reason.OVERLOADED));
		OrderPlaced order = order();
		StepVerifier.create(this.publisher.publish(order))
			.then(() -> complete(receive(order.orderId()), true))
			.verifyComplete();
	}

	@Test
	void refusesAtOnceWhileTheBrokerBlocksPublishers() {
		this.events.publishEvent(new ConnectionBlockedEvent(mock(Connection.class), "low on memory"));
		StepVerifier.create(this.publisher.publish(order()))
			.verifyErrorSatisfies((ex) -> assertReason(ex, PublishFailedException.Reason.BROKER_BLOCKED));
		assertThat(this.output.receive(100, "create_order_queue")).isNull();
		this.events.publishEvent(new ConnectionUnblockedEvent(mock(Connection.class)));
		OrderPlaced order = order();
		StepVerifier.create(this.publisher.publish(order))
			.then(() -> complete(receive(order.orderId()), true))
			.verifyComplete();
	}

	private static void complete(Message<byte[]> message, boolean ack) {
		correlation(message).getFuture().complete(new CorrelationData.Confirm(ack, ack ? null : "refused"));
	}

	private Message<byte[]> receive(UUID orderId) {
		while (true) {
			Message<byte[]> message = this.output.receive(Duration.ofSeconds(5).toMillis(), "create_order_queue");
			assertThat(message).as("published message").isNotNull();
			if (orderId.toString().equals(message.getHeaders().get(AmqpHeaders.MESSAGE_ID))) {
				return message;
			}
		}
	}

	private static CorrelationData correlation(Message<byte[]> message) {
		return (CorrelationData) message.getHeaders().get(AmqpHeaders.PUBLISH_CONFIRM_CORRELATION);
	}

	private static void assertReason(Throwable ex, PublishFailedException.Reason reason) {
		assertThat(ex).isInstanceOfSatisfying(PublishFailedException.class,
				(failure) -> assertThat(failure.getReason()).isEqualTo(reason));
	}

	static OrderPlaced order() {
		return new OrderPlaced(UUID.randomUUID(), "med-1", "user-1", List.of(OrderStatus.PENDING),
				Instant.parse("2026-11-24T08:00:00Z"), OrderChannel.API);
	}

}
