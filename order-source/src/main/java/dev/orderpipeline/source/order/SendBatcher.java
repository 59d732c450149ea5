package dev.orderpipeline.source.order;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;

import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;
import org.springframework.stereotype.Component;

/**
 * Hands orders to the binder from one thread of its own, in batches: the orders that
 * arrive while a batch is being sent make up the next one. Once the binder's
 * {@link RabbitTemplate} is known, each batch is sent within one
 * {@link RabbitTemplate#invoke invoke} scope, so on one channel, which then carries every
 * publish of the batch while their confirms are outstanding. Spring AMQP gives a channel
 * back to its cache only when all its confirms are in; sent one by one, every order held
 * a channel of its own, and cost a channel checkout, a confirm callback and an
 * acknowledgement from the broker.
 * <p>
 * Sending never blocks the event loop: a caller gets a future of the send's outcome.
 */
@Component
class SendBatcher implements DisposableBean {

	private final BlockingQueue<Send> queue = new LinkedBlockingQueue<>();

	private final ExecutorService thread = Executors
		.newSingleThreadExecutor(new CustomizableThreadFactory("order-publish-"));

	private volatile Consumer<Runnable> scope = Runnable::run;

	private volatile RabbitTemplate template;

	SendBatcher() {
		this.thread.execute(this::sendBatches);
	}

	/**
	 * Sends each batch on one channel of this template from now on.
	 * @param template the binder's template of the orders binding
	 */
	void sendOn(RabbitTemplate template) {
		this.template = template;
		scopeWith((sends) -> template.invoke((operations) -> {
			sends.run();
			return null;
		}));
	}

	/**
	 * The template each batch is sent on.
	 * @return the binder's template, or {@code null} before the binding exists or with
	 * another binder than RabbitMQ's
	 */
	RabbitTemplate template() {
		return this.template;
	}

	/**
	 * Runs each batch of more than one send inside this scope.
	 * @param scope runs the sends it is given
	 */
	void scopeWith(Consumer<Runnable> scope) {
		this.scope = scope;
	}

	/**
	 * Queues a send.
	 * @param send what sends the order; its exceptions fail the future
	 * @return completes with the send's result once it ran
	 */
	CompletableFuture<Boolean> send(Callable<Boolean> send) {
		Send queued = new Send(send);
		if (this.thread.isShutdown()) {
			queued.fail(new IllegalStateException("The service is stopping"));
		}
		else {
			this.queue.add(queued);
		}
		return queued.result;
	}

	@Override
	public void destroy() {
		this.thread.shutdownNow();
	}

	private void sendBatches() {
		List<Send> batch = new ArrayList<>();
		try {
			while (!Thread.currentThread().isInterrupted()) {
				batch.add(this.queue.take());
				this.queue.drainTo(batch);
				sendAll(batch);
				batch.clear();
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		finally {
			this.queue.drainTo(batch);
			IllegalStateException stopping = new IllegalStateException("The service is stopping");
			batch.forEach((send) -> send.fail(stopping));
		}
	}

	private void sendAll(List<Send> batch) {
		if (batch.size() == 1) {
			batch.get(0).run();
			return;
		}
		try {
			this.scope.accept(() -> batch.forEach(Send::run));
		}
		catch (RuntimeException ex) {
			// The scope could not open (no connection, no channel): the sends that did
			// not
			// run fail with its cause.
			batch.forEach((send) -> send.fail(ex));
		}
	}

	private static final class Send {

		private final Callable<Boolean> send;

		private final CompletableFuture<Boolean> result = new CompletableFuture<>();

		Send(Callable<Boolean> send) {
			this.send = send;
		}

		void run() {
			try {
				this.result.complete(this.send.call());
			}
			catch (Exception ex) {
				this.result.completeExceptionally(ex);
			}
		}

		void fail(Exception ex) {
			this.result.completeExceptionally(ex);
		}

	}

}
