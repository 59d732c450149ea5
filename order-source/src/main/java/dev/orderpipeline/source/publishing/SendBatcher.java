package dev.orderpipeline.source.publishing;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import dev.orderpipeline.source.OrderSourceProperties;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.LivenessState;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

/**
 * Hands orders to the binder from one thread of its own, so that a send that blocks (the
 * RabbitMQ client's full write queue, the Kafka producer waiting for metadata) never
 * blocks the event loop, and in batches: the orders that arrive while a batch is being
 * sent make up the next one. An adapter may give it a scope to send within: the RabbitMQ
 * adapter's sends on one channel for as long as orders keep coming. A scope ends once
 * none has arrived for a few milliseconds (the linger), or after a send failed (its
 * channel may be broken; the next batch opens another scope).
 * <p>
 * Sending never blocks the event loop: a caller gets a future of the send's outcome. At
 * most {@link OrderSourceProperties#maxInFlight()} sends wait at once; beyond, a send
 * fails at once with {@link RejectedExecutionException}.
 * <p>
 * Should the sender's thread ever die (an error outside any one send), every order is
 * refused from then on and the service reports itself {@link LivenessState#BROKEN
 * broken}, so its liveness probe fails and it is restarted.
 */
public final class SendBatcher implements DisposableBean, MeterBinder {

	private static final Log logger = LogFactory.getLog(SendBatcher.class);

	/** How long a scope waits for the next order before it ends. */
	static final Duration LINGER = Duration.ofMillis(5);

	private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

	private final SendQueue queue;

	private final ExecutorService thread = Executors
		.newSingleThreadExecutor(new CustomizableThreadFactory("order-publish-"));

	private volatile Consumer<Runnable> scope = Runnable::run;

	private final ApplicationEventPublisher events;

	private final long lingerNanos;

	public SendBatcher(OrderSourceProperties properties, ApplicationEventPublisher events) {
		this(properties, events, LINGER);
	}

	SendBatcher(OrderSourceProperties properties, ApplicationEventPublisher events, Duration linger) {
		this.events = events;
		this.lingerNanos = linger.toNanos();
		this.queue = new SendQueue(properties.maxInFlight());
		this.thread.execute(this::sendBatches);
	}

	/**
	 * Runs the sends inside this scope from the next batch on.
	 * @param scope runs the sends it is given
	 */
	public void scopeWith(Consumer<Runnable> scope) {
		this.scope = scope;
	}

	/**
	 * How many sends wait for the sender's thread.
	 * @return the sends queued
	 */
	public int queued() {
		return this.queue.size();
	}

	/**
	 * Registers the gauge {@code orders.publish.queued}.
	 */
	@Override
	public void bindTo(MeterRegistry registry) {
		Gauge.builder("orders.publish.queued", this, SendBatcher::queued)
			.description("Orders waiting for the sender's thread")
			.register(registry);
	}

	/**
	 * Queues a send.
	 * @param send what sends the order; its exceptions fail the future
	 * @return completes with the send's result once it ran; cancelling it takes the send
	 * out of the queue if it has not run yet; fails with
	 * {@link RejectedExecutionException} when too many sends wait, and with
	 * {@link IllegalStateException} once the service stops
	 */
	public CompletableFuture<Boolean> send(Callable<Boolean> send) {
		return this.queue.add(send);
	}

	@Override
	public void destroy() throws InterruptedException {
		this.queue.stop();
		this.thread.shutdownNow();
		// The send under way, if any, finishes before the broker connection closes.
		if (!awaitStopped(STOP_TIMEOUT)) {
			logger.warn("The order sender did not stop within " + STOP_TIMEOUT.toSeconds() + " s");
		}
	}

	/**
	 * Waits for the sender's thread to end, once stopping.
	 * @param timeout how long at most
	 * @return whether it ended
	 */
	public boolean awaitStopped(Duration timeout) throws InterruptedException {
		return this.thread.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
	}

	private void sendBatches() {
		// The sends taken from the queue and not run yet: should the thread die, the
		// finally block below answers them.
		Deque<QueuedSend> pending = new ArrayDeque<>();
		try {
			while (true) {
				try {
					pending.add(this.queue.take());
				}
				catch (InterruptedException ex) {
					if (this.queue.isStopped()) {
						Thread.currentThread().interrupt();
						return;
					}
					// Interrupted by a send, not by stopping: the sender goes on.
					continue;
				}
				this.queue.drainTo(pending);
				sendAll(pending);
			}
		}
		catch (Throwable ex) {
			logger.error("The order sender stopped; orders are refused from now on and the service reports "
					+ "itself broken (liveness)", ex);
			this.queue.died(ex);
			try {
				AvailabilityChangeEvent.publish(this.events, this, LivenessState.BROKEN);
			}
			catch (RuntimeException publishing) {
				ex.addSuppressed(publishing);
			}
			throw ex;
		}
		finally {
			// No send is queued once stopped, so none is left behind.
			this.queue.stop();
			this.queue.drainTo(pending);
			IllegalStateException refusal = this.queue.refusal();
			pending.forEach((send) -> send.fail(refusal));
		}
	}

	private void sendAll(Deque<QueuedSend> pending) {
		while (!pending.isEmpty()) {
			if (this.queue.isStopped()) {
				IllegalStateException refusal = this.queue.refusal();
				pending.forEach((send) -> send.fail(refusal));
				pending.clear();
				return;
			}
			Consumer<Runnable> scope = this.scope;
			AtomicBoolean entered = new AtomicBoolean();
			try {
				scope.accept(() -> {
					entered.set(true);
					sendWithin(scope, pending);
				});
			}
			catch (RuntimeException ex) {
				// The scope could not open (no connection, no channel): the sends
				// that did not run fail with its cause.
				pending.forEach((send) -> send.fail(ex));
				pending.clear();
				return;
			}
			if (!entered.get()) {
				IllegalStateException refusal = new IllegalStateException("The send scope did not run the sends");
				pending.forEach((send) -> send.fail(refusal));
				pending.clear();
				return;
			}
		}
	}

	/**
	 * Sends within one scope, taking the orders that keep coming, until none came for the
	 * linger, a send failed (its channel may be broken) or another scope was set. The
	 * sends not run yet stay pending, for the next scope.
	 */
	private void sendWithin(Consumer<Runnable> scope, Deque<QueuedSend> pending) {
		while (true) {
			QueuedSend send;
			while ((send = pending.poll()) != null) {
				run(send);
				if (send.failed()) {
					return;
				}
			}
			if (this.queue.isStopped() || this.scope != scope) {
				return;
			}
			QueuedSend next;
			try {
				next = this.queue.poll(this.lingerNanos);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return;
			}
			if (next == null) {
				return;
			}
			pending.add(next);
			this.queue.drainTo(pending);
			if (this.scope != scope) {
				return;
			}
		}
	}

	private void run(QueuedSend send) {
		// The RabbitMQ client's non-blocking IO drops a frame handed to it on an
		// interrupted thread: an interrupt does not reach a send. Once stopping, the
		// rest of the batch is refused.
		if (Thread.interrupted() && this.queue.isStopped()) {
			Thread.currentThread().interrupt();
			send.fail(this.queue.refusal());
			return;
		}
		send.run();
	}

}
