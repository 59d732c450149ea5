package dev.orderpipeline.sink.consuming;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import dev.orderpipeline.sink.OrderSinkProperties;
import dev.orderpipeline.sink.store.StoreFailures;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.util.backoff.BackOffExecution;
import org.springframework.util.backoff.ExponentialBackOff;

/**
 * The outage retry loop: runs the sink's writes (a batch, an order, a dead letter) until
 * they succeed, pausing with exponential backoff after each transient failure, and
 * reports the service not ready while one lasts. Holding the batch meanwhile keeps it
 * unacknowledged on the queue; nothing is dead-lettered for an outage.
 */
final class OutageRetry {

	private static final Log logger = LogFactory.getLog(OutageRetry.class);

	private final OrderSinkProperties properties;

	private final ApplicationEventPublisher events;

	private final CountDownLatch stopping = new CountDownLatch(1);

	private volatile boolean failing;

	OutageRetry(OrderSinkProperties properties, ApplicationEventPublisher events) {
		this.properties = properties;
		this.events = events;
	}

	/**
	 * Runs an action until it succeeds, pausing with exponential backoff after each
	 * transient failure. A permanent failure is thrown at once as a
	 * {@link PermanentFailureException}; a shutdown, or a failure lasting past
	 * {@code orders.sink.retry-hold}, ends the retries with a {@link RedeliveryException}
	 * so the batch stays on the queue and is delivered again.
	 */
	<T> T retrying(String what, Supplier<T> action) {
		BackOffExecution backOff = null;
		long failingSince = 0;
		while (true) {
			try {
				T result = action.get();
				recovered(what);
				return result;
			}
			catch (RuntimeException ex) {
				if (StoreFailures.isPermanent(ex)) {
					throw new PermanentFailureException(StoreFailures.describe(ex), ex);
				}
				if (backOff == null) {
					backOff = backOff().start();
					failingSince = System.nanoTime();
				}
				long pause = backOff.nextBackOff();
				Duration hold = this.properties.retryHold();
				if (hold != null
						&& Duration.ofNanos(System.nanoTime() - failingSince).plusMillis(pause).compareTo(hold) > 0) {
					logger.warn("Transient failure " + what + " (" + StoreFailures.describe(ex) + ") for longer than "
							+ hold.toMillis()
							+ " ms: handing the messages back to the binder, which delivers them again");
					throw new RedeliveryException(what + " kept failing for longer than the retry hold", ex);
				}
				failed(what, ex, pause);
				if (awaitStop(pause)) {
					throw new RedeliveryException("Stopped while " + what + " kept failing", ex);
				}
			}
		}
	}

	private ExponentialBackOff backOff() {
		ExponentialBackOff backOff = new ExponentialBackOff(this.properties.retryInitialInterval().toMillis(),
				this.properties.retryMultiplier());
		backOff.setMaxInterval(this.properties.retryMaxInterval().toMillis());
		return backOff;
	}

	private void failed(String what, RuntimeException ex, long pause) {
		if (!this.failing) {
			this.failing = true;
			AvailabilityChangeEvent.publish(this.events, this, ReadinessState.REFUSING_TRAFFIC);
		}
		logger.warn("Transient failure " + what + " (" + StoreFailures.describe(ex) + "); retrying in "
				+ Duration.ofMillis(pause).toMillis() + " ms, the messages stay on the queue");
	}

	private void recovered(String what) {
		if (this.failing) {
			this.failing = false;
			logger.info("Recovered " + what);
			AvailabilityChangeEvent.publish(this.events, this, ReadinessState.ACCEPTING_TRAFFIC);
		}
	}

	private boolean awaitStop(long millis) {
		try {
			return this.stopping.await(millis, TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return true;
		}
	}

	/**
	 * Ends any retry in progress: the application stops.
	 */
	void stop() {
		this.stopping.countDown();
	}

	static class PermanentFailureException extends RuntimeException {

		PermanentFailureException(String message, Throwable cause) {
			super(message, cause);
		}

	}

	/**
	 * Thrown when the application stops while a transient failure lasts, or when the
	 * failure outlasts the retry hold: the binder delivers the batch again (RabbitMQ
	 * requeues it, {@code requeue-rejected}; Kafka's error handler retries it with the
	 * consumer paused), so it is not lost and not dead-lettered.
	 */
	static class RedeliveryException extends RuntimeException {

		RedeliveryException(String message, Throwable cause) {
			super(message, cause);
		}

	}

}
