package dev.orderpipeline.source.publishing;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.orderpipeline.contracts.GoldenSamples;
import dev.orderpipeline.contracts.OrderChannel;
import dev.orderpipeline.contracts.OrderPlaced;
import dev.orderpipeline.contracts.OrderSignature;
import dev.orderpipeline.contracts.OrderStatus;
import dev.orderpipeline.source.OrderSourceProperties;
import dev.orderpipeline.testsupport.TestSigning;
import io.micrometer.context.ContextSnapshot;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;
import reactor.core.Disposable;
import reactor.test.StepVerifier;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.messaging.Message;
import org.springframework.messaging.MessageHeaders;
import org.springframework.messaging.support.MessageBuilder;
import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The publisher's own rules, whatever the broker: the message as the contract writes it,
 * signed; the in-flight and time limits; every failure a {@link PublishFailedException}.
 * The test plays the broker's adapter.
 */
class OrderPublisherTests {

	static final List<String> goldens = GoldenSamples.ORDER_PLACED;

	private final JsonMapper json = JsonMapper.builder().build();

	private final MeterRegistry meters = new SimpleMeterRegistry();

	private final TestBroker broker = new TestBroker();

	private final OrderPublisher publisher = new OrderPublisher(this.broker, this.json, properties(2),
			TestSigning.signature(), this.meters);

	@ParameterizedTest
	@FieldSource("goldens")
	void publishesEveryGoldenExactlyAsTheContractWritesIt(String golden) {
		String text = GoldenSamples.read(golden);
		OrderPlaced order = this.json.readValue(text, OrderPlaced.class);
		StepVerifier.create(this.publisher.publish(order)).then(() -> {
			Sent sent = this.broker.last();
			assertThat(sent.orderId()).isEqualTo(order.orderId());
			assertThat(this.json.readTree(sent.message().getPayload())).isEqualTo(this.json.readTree(text));
			sent.accept();
		}).verifyComplete();
	}

	@Test
	void sendsSignedJson() {
		OrderPlaced order = order();
		StepVerifier.create(this.publisher.publish(order)).then(() -> {
			Message<byte[]> message = this.broker.last().message();
			assertThat(message.getHeaders().get(MessageHeaders.CONTENT_TYPE)).hasToString("application/json");
			assertThat(TestSigning.signature()
				.verify(message.getHeaders().get(OrderSignature.HEADER), message.getPayload())).isNull();
			assertThat(this.json.readValue(message.getPayload(), OrderPlaced.class)).isEqualTo(order);
			this.broker.last().accept();
		}).verifyComplete();
	}

	@Test
	void countsAcceptedOrdersAndTimesTheConfirm() {
		StepVerifier.create(this.publisher.publish(order())).then(() -> this.broker.last().accept()).verifyComplete();
		assertThat(this.meters.counter("orders.confirmed").count()).isOne();
		assertThat(this.meters.timer("orders.confirm").count()).isOne();
	}

	@Test
	void passesTheBrokersRefusalOn() {
		OrderPlaced order = order();
		StepVerifier.create(this.publisher.publish(order))
			.then(() -> this.broker.last()
				.accepted()
				.completeExceptionally(new PublishFailedException(order.orderId(),
						PublishFailedException.Reason.BROKER_NACK, "refused", null)))
			.verifyErrorSatisfies((ex) -> assertReason(ex, PublishFailedException.Reason.BROKER_NACK));
		assertThat(this.meters.counter("orders.confirmed").count()).isZero();
	}

	@Test
	void failsWithTheOrderIdAndWithdrawsTheSendWhenTheBrokerDoesNotAcceptInTime() {
		OrderPlaced order = order();
		StepVerifier.create(this.publisher.publish(order)).verifyErrorSatisfies((ex) -> {
			assertReason(ex, PublishFailedException.Reason.CONFIRM_TIMEOUT);
			assertThat(((PublishFailedException) ex).getOrderId()).isEqualTo(order.orderId());
		});
		assertThat(this.broker.last().handedOver()).as("withdrawn").isCancelled();
	}

	@Test
	void withdrawsTheSendOfAClientGone() {
		Disposable gone = this.publisher.publish(order()).subscribe();
		gone.dispose();
		assertThat(this.broker.last().handedOver()).isCancelled();
	}

	@Test
	void refusesAtOnceWhenTooManyOrdersAreOnTheirWayAndFreesThePlacesAfterwards() {
		this.publisher.publish(order()).subscribe();
		this.publisher.publish(order()).subscribe();
		StepVerifier.create(this.publisher.publish(order()))
			.verifyErrorSatisfies((ex) -> assertReason(ex, PublishFailedException.Reason.OVERLOADED));
		assertThat(this.broker.sent).as("the third was not sent").hasSize(2);
		this.broker.sent.forEach(Sent::accept);
		StepVerifier.create(this.publisher.publish(order())).then(() -> this.broker.last().accept()).verifyComplete();
	}

	@Test
	void aSendStillUnderWayAfterItsAnswerKeepsItsPlace() {
		this.broker.cancellable = false;
		OrderPublisher one = new OrderPublisher(this.broker, this.json, properties(1), TestSigning.signature(),
				this.meters);
		StepVerifier.create(one.publish(order()))
			.verifyErrorSatisfies((ex) -> assertReason(ex, PublishFailedException.Reason.CONFIRM_TIMEOUT));
		StepVerifier.create(one.publish(order()))
			.verifyErrorSatisfies((ex) -> assertReason(ex, PublishFailedException.Reason.OVERLOADED));
		this.broker.last().handedOver().complete(true);
		StepVerifier.create(one.publish(order())).then(() -> this.broker.last().accept()).verifyComplete();
	}

	@Test
	void refusesAtOnceWhileTheBrokerRefusesPublishers() {
		this.broker.refusing.set(true);
		StepVerifier.create(this.publisher.publish(order()))
			.verifyErrorSatisfies((ex) -> assertReason(ex, PublishFailedException.Reason.BROKER_BLOCKED));
		assertThat(this.broker.sent).isEmpty();
	}

	@Test
	void aRefusalWrappedOnItsWayIsStillTheBrokersRefusal() {
		OrderPlaced order = order();
		StepVerifier.create(this.publisher.publish(order))
			.then(() -> this.broker.last()
				.accepted()
				.completeExceptionally(new CompletionException(new PublishFailedException(order.orderId(),
						PublishFailedException.Reason.UNROUTABLE, "no queue", null))))
			.verifyErrorSatisfies((ex) -> assertReason(ex, PublishFailedException.Reason.UNROUTABLE));
	}

	@Test
	void aSenderWithNoRoomLeftIsOverloaded() {
		StepVerifier.create(this.publisher.publish(order()))
			.then(() -> this.broker.last()
				.accepted()
				.completeExceptionally(new RejectedExecutionException("Too many orders wait to be sent")))
			.verifyErrorSatisfies((ex) -> assertReason(ex, PublishFailedException.Reason.OVERLOADED));
	}

	@Test
	void anyOtherFailureIsTheBrokerUnavailableAndGivesThePlaceBack() {
		this.broker.failing = new IllegalStateException("no connection");
		for (int i = 0; i < 3; i++) {
			StepVerifier.create(this.publisher.publish(order()))
				.verifyErrorSatisfies((ex) -> assertReason(ex, PublishFailedException.Reason.BROKER_UNAVAILABLE));
		}
	}

	private static void assertReason(Throwable ex, PublishFailedException.Reason reason) {
		assertThat(ex).isInstanceOfSatisfying(PublishFailedException.class,
				(failure) -> assertThat(failure.getReason()).isEqualTo(reason));
	}

	static OrderPlaced order() {
		return new OrderPlaced(UUID.randomUUID(), "med-1", "user-1", List.of(OrderStatus.PENDING),
				Instant.parse("2026-11-24T08:00:00Z"), OrderChannel.API);
	}

	static OrderSourceProperties properties(int maxInFlight) {
		return new OrderSourceProperties("orders-out-0", URI.create("http://localhost:8001"), Duration.ofMillis(300),
				maxInFlight, DataSize.ofKilobytes(16), Duration.ofSeconds(5), false,
				new OrderSourceProperties.RateLimit(true, 5, 20, 100_000, 1000, 10_000),
				new OrderSourceProperties.Stream(10_000, 64, 16, 4), Duration.ofSeconds(30), false);
	}

	/**
	 * One message sent, and the futures the test completes as the broker would.
	 */
	record Sent(UUID orderId, Message<byte[]> message, CompletableFuture<Boolean> handedOver,
			CompletableFuture<Void> accepted) {

		void accept() {
			this.handedOver.complete(true);
			this.accepted.complete(null);
		}

	}

	static final class TestBroker implements OrderBroker {

		final List<Sent> sent = new CopyOnWriteArrayList<>();

		final AtomicBoolean refusing = new AtomicBoolean();

		volatile boolean cancellable = true;

		volatile RuntimeException failing;

		@Override
		public Publication send(UUID orderId, MessageBuilder<byte[]> message, ContextSnapshot trace) {
			if (this.failing != null) {
				return new Publication(CompletableFuture.failedFuture(this.failing),
						CompletableFuture.failedFuture(this.failing), () -> {
						});
			}
			boolean cancellable = this.cancellable;
			CompletableFuture<Boolean> handedOver = new CompletableFuture<>() {

				@Override
				public boolean cancel(boolean mayInterruptIfRunning) {
					return cancellable && super.cancel(mayInterruptIfRunning);
				}

			};
			Sent sent = new Sent(orderId, message.build(), handedOver, new CompletableFuture<>());
			this.sent.add(sent);
			return new Publication(handedOver, sent.accepted(), () -> handedOver.cancel(false));
		}

		@Override
		public boolean refusesPublishers() {
			return this.refusing.get();
		}

		Sent last() {
			assertThat(this.sent).as("messages sent").isNotEmpty();
			return this.sent.get(this.sent.size() - 1);
		}

	}

}
