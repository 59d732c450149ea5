package dev.orderpipeline.source.rabbit;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A send waiting for the sender's thread, and its outcome: whether the binding took the
 * message. Cancelling withdraws it only while it has not started; a send under way is not
 * interrupted, so this is done only once nothing more is being sent.
 */
final class QueuedSend extends CompletableFuture<Boolean> {

	private final Callable<Boolean> send;

	private final AtomicBoolean started = new AtomicBoolean();

	QueuedSend(Callable<Boolean> send) {
		this.send = send;
	}

	/**
	 * Runs the send, unless it was withdrawn or failed before; its exceptions fail this
	 * send alone.
	 */
	void run() {
		if (!this.started.compareAndSet(false, true)) {
			return;
		}
		try {
			complete(this.send.call());
		}
		catch (Throwable ex) {
			completeExceptionally(ex);
		}
	}

	/**
	 * Fails the send without running it, unless it has started.
	 * @param ex the cause
	 */
	void fail(Throwable ex) {
		if (this.started.compareAndSet(false, true)) {
			completeExceptionally(ex);
		}
	}

	/**
	 * Whether it ran and failed, or was failed; a withdrawn send did not fail.
	 * @return whether it failed
	 */
	boolean failed() {
		return isCompletedExceptionally() && !isCancelled();
	}

	@Override
	public boolean cancel(boolean mayInterruptIfRunning) {
		return this.started.compareAndSet(false, true) && super.cancel(mayInterruptIfRunning);
	}

}
