package dev.orderpipeline.source.publishing;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * A send waiting for the sender's thread, and its outcome: whether the binding took the
 * message. Cancelling withdraws it only while it has not started; a send under way is not
 * interrupted, so this is done only once nothing more is being sent.
 */
final class QueuedSend extends CompletableFuture<Boolean> {

	private final Callable<Boolean> send;

	private final Consumer<QueuedSend> onWithdrawal;

	private final AtomicBoolean started = new AtomicBoolean();

	/**
	 * A send to queue.
	 * @param send what sends the order
	 * @param onWithdrawal takes it out of its queue when it is withdrawn
	 */
	QueuedSend(Callable<Boolean> send, Consumer<QueuedSend> onWithdrawal) {
		this.send = send;
		this.onWithdrawal = onWithdrawal;
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
		if (!this.started.compareAndSet(false, true)) {
			return false;
		}
		// Out of the queue before anyone learns of it, so its place there is free once
		// its caller's is.
		this.onWithdrawal.accept(this);
		return super.cancel(mayInterruptIfRunning);
	}

}
