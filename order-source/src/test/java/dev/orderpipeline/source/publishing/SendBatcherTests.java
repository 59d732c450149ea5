package dev.orderpipeline.source.publishing;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import dev.orderpipeline.source.OrderSourceProperties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.amqp.AmqpConnectException;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.LivenessState;
import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

/**
 * The sender's batches: what queues while a batch is sent goes out together, in one
 * scope.
 */
public class SendBatcherTests {

	private final List<Object> events = new CopyOnWriteArrayList<>();

	private final SendBatcher batcher = new SendBatcher(properties(512), this.events::add);

	private final AtomicInteger scopes = new AtomicInteger();

	private final AtomicInteger openScopes = new AtomicInteger();

	private final List<SendBatcher> others = new ArrayList<>();

	@AfterEach
	void stop() throws InterruptedException {
		this.batcher.destroy();
		for (SendBatcher other : this.others) {
			other.destroy();
		}
	}

	@Test
	void sendsWhatQueuedMeanwhileAsOneBatchInOneScope() throws Exception {
		this.batcher.scopeWith((sends) -> {
			this.scopes.incrementAndGet();
			sends.run();
		});
		CountDownLatch sending = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		CompletableFuture<Boolean> first = this.batcher.send(() -> {
			sending.countDown();
			return release.await(10, TimeUnit.SECONDS);
		});
		assertThat(sending.await(10, TimeUnit.SECONDS)).isTrue();
		List<CompletableFuture<Boolean>> queued = List.of(this.batcher.send(() -> true), this.batcher.send(() -> false),
				this.batcher.send(() -> true));
		release.countDown();
		assertThat(first.get(10, TimeUnit.SECONDS)).isTrue();
		assertThat(CompletableFuture.allOf(queued.toArray(CompletableFuture[]::new))).succeedsWithin(10,
				TimeUnit.SECONDS);
		assertThat(queued).extracting(CompletableFuture::join).containsExactly(true, false, true);
		assertThat(this.scopes).as("the first send and the three queued meanwhile share one scope").hasValue(1);
	}

	@Test
	void ordersThatKeepComingShareOneScope() throws Exception {
		SendBatcher lingering = batcher(Duration.ofSeconds(30));
		lingering.scopeWith(this::countedScope);
		assertThat(lingering.send(() -> true).get(10, TimeUnit.SECONDS)).isTrue();
		assertThat(lingering.send(() -> true).get(10, TimeUnit.SECONDS)).isTrue();
		assertThat(this.scopes).as("the second order came within the linger").hasValue(1);
	}

	@Test
	void anIdleSenderLeavesItsScope() throws Exception {
		SendBatcher brief = batcher(Duration.ofMillis(1));
		brief.scopeWith(this::countedScope);
		assertThat(brief.send(() -> true).get(10, TimeUnit.SECONDS)).isTrue();
		await().atMost(Duration.ofSeconds(10)).untilAtomic(this.openScopes, equalTo(0));
		assertThat(brief.send(() -> true).get(10, TimeUnit.SECONDS)).isTrue();
		assertThat(this.scopes).as("the second order came long after the linger").hasValue(2);
	}

	@Test
	void aFailedSendEndsItsScopeAndTheNextOrderOpensAnother() throws Exception {
		SendBatcher lingering = batcher(Duration.ofSeconds(30));
		lingering.scopeWith(this::countedScope);
		CompletableFuture<Boolean> failing = lingering.send(() -> {
			throw new AmqpConnectException(new java.net.ConnectException("channel closed"));
		});
		assertThatExceptionOfType(Exception.class).isThrownBy(() -> failing.get(10, TimeUnit.SECONDS))
			.withCauseInstanceOf(AmqpConnectException.class);
		assertThat(lingering.send(() -> true).get(10, TimeUnit.SECONDS)).isTrue();
		assertThat(this.scopes).as("a new scope, so a new channel, after the failure").hasValue(2);
	}

	@Test
	void aFailedSendEndsItsScopeAndTheRestOfTheBatchGoesOutInANewOne() throws Exception {
		SendBatcher lingering = batcher(Duration.ofSeconds(30));
		lingering.scopeWith(this::countedScope);
		CountDownLatch release = holdTheSender(lingering);
		AtomicInteger scopeOfTheRest = new AtomicInteger();
		CompletableFuture<Boolean> failing = lingering.send(() -> {
			throw new IllegalStateException("channel closed");
		});
		List<CompletableFuture<Boolean>> rest = List.of(lingering.send(() -> {
			scopeOfTheRest.set(this.scopes.get());
			return true;
		}), lingering.send(() -> true));
		release.countDown();
		assertThatExceptionOfType(Exception.class).isThrownBy(() -> failing.get(10, TimeUnit.SECONDS))
			.withCauseInstanceOf(IllegalStateException.class);
		assertThat(rest).allSatisfy((send) -> assertThat(send.get(10, TimeUnit.SECONDS)).isTrue());
		assertThat(scopeOfTheRest).as("the sends after the failed one ran in a second scope").hasValue(2);
	}

	@Test
	void aScopeSetWhileOrdersKeepComingTakesOverFromTheNextBatch() throws Exception {
		SendBatcher lingering = batcher(Duration.ofSeconds(30));
		assertThat(lingering.send(() -> true).get(10, TimeUnit.SECONDS)).isTrue();
		lingering.scopeWith(this::countedScope);
		assertThat(lingering.send(() -> true).get(10, TimeUnit.SECONDS)).isTrue();
		assertThat(this.scopes).as("the second order ran in the scope set meanwhile").hasValue(1);
	}

	@Test
	void stoppingWhileLingeringEndsTheSenderAndRefusesWhatComesAfter() throws Exception {
		SendBatcher lingering = batcher(Duration.ofSeconds(30));
		lingering.scopeWith(this::countedScope);
		assertThat(lingering.send(() -> true).get(10, TimeUnit.SECONDS)).isTrue();
		lingering.destroy();
		assertThatExceptionOfType(Exception.class)
			.isThrownBy(() -> lingering.send(() -> true).get(10, TimeUnit.SECONDS))
			.withCauseInstanceOf(IllegalStateException.class);
		assertThat(lingering.awaitStopped(Duration.ofSeconds(10))).as("the sender's thread ended").isTrue();
	}

	private void countedScope(Runnable sends) {
		this.scopes.incrementAndGet();
		this.openScopes.incrementAndGet();
		try {
			sends.run();
		}
		finally {
			this.openScopes.decrementAndGet();
		}
	}

	/**
	 * A sender of its own with another linger, stopped after the test.
	 * @param linger how long its scope waits for the next order
	 * @return the sender
	 */
	private SendBatcher batcher(Duration linger) {
		SendBatcher batcher = new SendBatcher(properties(512), this.events::add, linger);
		this.others.add(batcher);
		return batcher;
	}

	@Test
	void failsOnlyTheSendThatThrows() throws Exception {
		CountDownLatch release = holdTheSender(this.batcher);
		CompletableFuture<Boolean> failing = this.batcher.send(() -> {
			throw new IllegalStateException("channel closed");
		});
		CompletableFuture<Boolean> next = this.batcher.send(() -> true);
		release.countDown();
		assertThat(next.get(10, TimeUnit.SECONDS)).isTrue();
		assertThatExceptionOfType(Exception.class).isThrownBy(() -> failing.get(10, TimeUnit.SECONDS))
			.withRootCauseInstanceOf(IllegalStateException.class);
	}

	@Test
	void failsEverySendOfABatchWhoseScopeCannotOpenAndGoesOn() throws Exception {
		AtomicBoolean refuseNext = new AtomicBoolean();
		this.batcher.scopeWith((sends) -> {
			if (refuseNext.compareAndSet(true, false)) {
				throw new AmqpConnectException(new java.net.ConnectException("Connection refused"));
			}
			sends.run();
		});
		CountDownLatch release = holdTheSenderThenFail(this.batcher);
		List<CompletableFuture<Boolean>> batch = List.of(this.batcher.send(() -> true), this.batcher.send(() -> true));
		refuseNext.set(true);
		release.countDown();
		for (CompletableFuture<Boolean> send : batch) {
			assertThatExceptionOfType(Exception.class).isThrownBy(() -> send.get(10, TimeUnit.SECONDS))
				.withCauseInstanceOf(AmqpConnectException.class);
		}
		assertThat(this.batcher.send(() -> true).get(10, TimeUnit.SECONDS)).isTrue();
	}

	@Test
	void failsOnlyTheSendThatThrowsAnErrorAndGoesOn() throws Exception {
		CompletableFuture<Boolean> failing = this.batcher.send(() -> {
			throw new AssertionError("broken");
		});
		assertThatExceptionOfType(Exception.class).isThrownBy(() -> failing.get(10, TimeUnit.SECONDS))
			.withCauseInstanceOf(AssertionError.class);
		assertThat(this.batcher.send(() -> true).get(10, TimeUnit.SECONDS)).isTrue();
	}

	@Test
	void refusesAtOnceWhenAsManySendsWaitAsMayBeInFlight() throws Exception {
		SendBatcher small = new SendBatcher(properties(2), this.events::add);
		try {
			CountDownLatch release = holdTheSender(small);
			CompletableFuture<Boolean> first = small.send(() -> true);
			CompletableFuture<Boolean> second = small.send(() -> true);
			CompletableFuture<Boolean> third = small.send(() -> true);
			assertThatExceptionOfType(Exception.class).isThrownBy(() -> third.get(10, TimeUnit.SECONDS))
				.withCauseInstanceOf(RejectedExecutionException.class);
			release.countDown();
			assertThat(first.get(10, TimeUnit.SECONDS)).isTrue();
			assertThat(second.get(10, TimeUnit.SECONDS)).isTrue();
		}
		finally {
			small.destroy();
		}
	}

	@Test
	void aCancelledSendLeavesTheQueueAndNeverRuns() throws Exception {
		SendBatcher small = new SendBatcher(properties(2), this.events::add);
		try {
			CountDownLatch release = holdTheSender(small);
			AtomicInteger ran = new AtomicInteger();
			CompletableFuture<Boolean> first = small.send(() -> ran.incrementAndGet() > 0);
			CompletableFuture<Boolean> second = small.send(() -> ran.incrementAndGet() > 0);
			first.cancel(false);
			second.cancel(false);
			assertThat(small.queued()).as("withdrawn sends left the queue before their cancel returned").isZero();
			CompletableFuture<Boolean> third = small.send(() -> true);
			release.countDown();
			assertThat(third.get(10, TimeUnit.SECONDS)).isTrue();
			assertThat(ran).hasValue(0);
		}
		finally {
			small.destroy();
		}
	}

	@Test
	void aSendUnderWayCannotBeCancelledSoItsFutureIsDoneOnlyOnceItReturned() throws Exception {
		CountDownLatch sending = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		CompletableFuture<Boolean> underWay = this.batcher.send(() -> {
			sending.countDown();
			return release.await(10, TimeUnit.SECONDS);
		});
		assertThat(sending.await(10, TimeUnit.SECONDS)).isTrue();
		assertThat(underWay.cancel(false)).as("cancelled while sending").isFalse();
		assertThat(underWay).isNotDone();
		release.countDown();
		assertThat(underWay.get(10, TimeUnit.SECONDS)).isTrue();
	}

	@Test
	void reportsTheServiceBrokenAndRefusesOrdersWhenTheSenderDies() throws Exception {
		AtomicBoolean broken = new AtomicBoolean();
		this.batcher.scopeWith((sends) -> {
			if (broken.get()) {
				throw new Error("the sender broke");
			}
			sends.run();
		});
		CountDownLatch release = holdTheSenderThenFail(this.batcher);
		List<CompletableFuture<Boolean>> batch = List.of(this.batcher.send(() -> true), this.batcher.send(() -> true));
		broken.set(true);
		release.countDown();
		for (CompletableFuture<Boolean> send : batch) {
			assertThatExceptionOfType(Exception.class).isThrownBy(() -> send.get(10, TimeUnit.SECONDS))
				.havingCause()
				.isInstanceOf(IllegalStateException.class)
				.withMessage("The order sender stopped");
		}
		assertThat(this.events).singleElement()
			.isInstanceOfSatisfying(AvailabilityChangeEvent.class,
					(event) -> assertThat(event.getState()).isEqualTo(LivenessState.BROKEN));
		assertThatExceptionOfType(Exception.class)
			.isThrownBy(() -> this.batcher.send(() -> true).get(10, TimeUnit.SECONDS))
			.havingCause()
			.withMessage("The order sender stopped")
			.withRootCauseInstanceOf(Error.class);
	}

	@Test
	void anInterruptDuringABatchDoesNotReachTheNextSends() throws Exception {
		CountDownLatch release = holdTheSender(this.batcher);
		AtomicBoolean interrupted = new AtomicBoolean();
		CompletableFuture<Boolean> interrupting = this.batcher.send(() -> {
			Thread.currentThread().interrupt();
			return true;
		});
		CompletableFuture<Boolean> next = this.batcher.send(() -> {
			interrupted.set(Thread.currentThread().isInterrupted());
			return true;
		});
		release.countDown();
		assertThat(interrupting.get(10, TimeUnit.SECONDS)).isTrue();
		assertThat(next.get(10, TimeUnit.SECONDS)).isTrue();
		assertThat(interrupted).as("the next send of the batch ran interrupted").isFalse();
	}

	@Test
	void refusesSendsOnceStopped() throws InterruptedException {
		this.batcher.destroy();
		assertThatExceptionOfType(Exception.class)
			.isThrownBy(() -> this.batcher.send(() -> true).get(10, TimeUnit.SECONDS))
			.withCauseInstanceOf(IllegalStateException.class);
	}

	public static OrderSourceProperties properties(int maxInFlight) {
		return new OrderSourceProperties("orders-out-0", URI.create("http://localhost:8001"), Duration.ofSeconds(5),
				maxInFlight, DataSize.ofKilobytes(16), Duration.ofSeconds(5), false,
				new OrderSourceProperties.RateLimit(true, 5, 20, 100_000, 1000, 10_000),
				new OrderSourceProperties.Stream(10_000, 64, 16, 4), Duration.ofSeconds(30), false);
	}

	/**
	 * Keeps the sender's thread busy with a send until the returned latch is counted
	 * down; the send then fails, which ends its scope, so the sends queued meanwhile make
	 * up one batch in a scope of their own.
	 * @param batcher the sender
	 * @return counted down to let the send fail
	 */
	public static CountDownLatch holdTheSenderThenFail(SendBatcher batcher) throws InterruptedException {
		CountDownLatch sending = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		batcher.send(() -> {
			sending.countDown();
			release.await(10, TimeUnit.SECONDS);
			throw new IllegalStateException("channel closed");
		});
		assertThat(sending.await(10, TimeUnit.SECONDS)).isTrue();
		return release;
	}

	/**
	 * Keeps the sender's thread busy with a send until the returned latch is counted
	 * down, so the sends queued meanwhile make up one batch.
	 * @param batcher the sender
	 * @return the latch that lets the sender go on
	 */
	public static CountDownLatch holdTheSender(SendBatcher batcher) throws InterruptedException {
		CountDownLatch sending = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		batcher.send(() -> {
			sending.countDown();
			return release.await(10, TimeUnit.SECONDS);
		});
		assertThat(sending.await(10, TimeUnit.SECONDS)).isTrue();
		return release;
	}

}
