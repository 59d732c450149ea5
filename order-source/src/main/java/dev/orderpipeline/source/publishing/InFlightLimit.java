package dev.orderpipeline.source.publishing;

import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The most orders on their way to the broker at once
 * ({@link dev.orderpipeline.source.OrderSourceProperties#maxInFlight()}). An order holds
 * its place until both its send is over and its client has the answer, so sends still
 * stuck after a timeout (the broker's client waits while its write queue is full) keep
 * counting. A send that has returned has only queued its frames: when the broker stops
 * reading, orders answered 503 may still be published afterwards.
 */
final class InFlightLimit {

	private final Semaphore places;

	InFlightLimit(int max) {
		this.places = new Semaphore(max);
	}

	/**
	 * Takes a place if one is free.
	 * @return the place, or {@code null} when every place is taken
	 */
	Place tryTake() {
		return this.places.tryAcquire() ? new Place() : null;
	}

	/**
	 * One order's place, given back once {@link #sendOver()} and {@link #answered()} were
	 * both called.
	 */
	final class Place {

		private final AtomicInteger pending = new AtomicInteger(2);

		void sendOver() {
			release();
		}

		void answered() {
			release();
		}

		private void release() {
			if (this.pending.decrementAndGet() == 0) {
				InFlightLimit.this.places.release();
			}
		}

	}

}
