package dev.orderpipeline.pipeline.drills;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import dev.orderpipeline.testsupport.TestTokens;
import tools.jackson.databind.json.JsonMapper;

/**
 * Continuous order placement from a few client threads, keeping the id of every order the
 * pipeline answered 2xx for: the drills' ground truth.
 */
final class OrderLoad implements AutoCloseable {

	private static final JsonMapper json = JsonMapper.builder().build();

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

	private final ExecutorService clients;

	private final AtomicBoolean running = new AtomicBoolean(true);

	private final Set<String> accepted = ConcurrentHashMap.newKeySet();

	private final AtomicLong refused = new AtomicLong();

	private final AtomicLong failed = new AtomicLong();

	private final String sender = "drill-" + UUID.randomUUID();

	private final String authorization = "Bearer " + TestTokens.shared().token(this.sender, "orders:write");

	private OrderLoad(Supplier<URI> target, int threads) {
		this.clients = Executors.newFixedThreadPool(threads);
		for (int i = 0; i < threads; i++) {
			this.clients.execute(() -> {
				while (this.running.get()) {
					place(target.get());
				}
			});
		}
	}

	/**
	 * Starts placing orders.
	 * @param target where order-source listens (read before every order, so it may
	 * change)
	 * @param threads concurrent clients
	 * @return the running load
	 */
	static OrderLoad start(Supplier<URI> target, int threads) {
		return new OrderLoad(target, threads);
	}

	private void place(URI source) {
		try {
			HttpResponse<String> response = this.http.send(HttpRequest.newBuilder(source.resolve("/orders"))
				.header("Content-Type", "application/json")
				.header("Authorization", this.authorization)
				.timeout(Duration.ofSeconds(15))
				.POST(HttpRequest.BodyPublishers
					.ofString("{\"medicationId\": \"med-drill\", \"sender_userId\": \"" + this.sender + "\"}"))
				.build(), HttpResponse.BodyHandlers.ofString());
			if (response.statusCode() == 202) {
				this.accepted.add(json.readTree(response.body()).get("orderId").stringValue());
			}
			else {
				this.refused.incrementAndGet();
				pause();
			}
		}
		catch (java.io.IOException ex) {
			this.failed.incrementAndGet();
			pause();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			this.running.set(false);
		}
	}

	private void pause() {
		try {
			TimeUnit.MILLISECONDS.sleep(50);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			this.running.set(false);
		}
	}

	/** Stops placing orders and waits for the answers in flight. */
	@Override
	public void close() throws InterruptedException {
		this.running.set(false);
		this.clients.shutdown();
		this.clients.awaitTermination(30, TimeUnit.SECONDS);
	}

	Set<String> accepted() {
		return Set.copyOf(this.accepted);
	}

	long refused() {
		return this.refused.get();
	}

	long failed() {
		return this.failed.get();
	}

	String sender() {
		return this.sender;
	}

}
