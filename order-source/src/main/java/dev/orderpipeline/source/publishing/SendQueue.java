package dev.orderpipeline.source.publishing;

import java.util.Collection;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The sends waiting for the sender's thread: bounded, so a send beyond the bound fails at
 * once with {@link RejectedExecutionException}; a send withdrawn while it waits leaves
 * the queue, so it holds no place another order could take; once stopped, every send is
 * refused, with the cause if the sender died.
 */
final class SendQueue {

	private final Object lock = new Object();

	private final BlockingQueue<QueuedSend> queue;

	private boolean stopped;

	private Throwable death;

	SendQueue(int capacity) {
		this.queue = new ArrayBlockingQueue<>(capacity);
	}

	/**
	 * Queues a send, or fails it at once when the queue is full or stopped.
	 * @param send what sends the order
	 * @return the queued send
	 */
	QueuedSend add(Callable<Boolean> send) {
		QueuedSend queued = new QueuedSend(send, this.queue::remove);
		synchronized (this.lock) {
			if (this.stopped) {
				queued.fail(refusal());
			}
			else if (!this.queue.offer(queued)) {
				queued.fail(new RejectedExecutionException("Too many orders wait to be sent"));
			}
		}
		return queued;
	}

	int size() {
		return this.queue.size();
	}

	QueuedSend take() throws InterruptedException {
		return this.queue.take();
	}

	QueuedSend poll(long nanos) throws InterruptedException {
		return this.queue.poll(nanos, TimeUnit.NANOSECONDS);
	}

	void drainTo(Collection<QueuedSend> sends) {
		this.queue.drainTo(sends);
	}

	boolean isStopped() {
		synchronized (this.lock) {
			return this.stopped;
		}
	}

	void stop() {
		synchronized (this.lock) {
			this.stopped = true;
		}
	}

	/**
	 * Stops the queue for good: the sender died of this.
	 * @param cause what killed it
	 */
	void died(Throwable cause) {
		synchronized (this.lock) {
			this.death = cause;
			this.stopped = true;
		}
	}

	/**
	 * Why sends are refused once stopped.
	 * @return the refusal
	 */
	IllegalStateException refusal() {
		synchronized (this.lock) {
			return (this.death != null) ? new IllegalStateException("The order sender stopped", this.death)
					: new IllegalStateException("The service is stopping");
		}
	}

}
