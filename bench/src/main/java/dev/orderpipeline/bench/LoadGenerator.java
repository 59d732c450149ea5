package dev.orderpipeline.bench;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import dev.orderpipeline.testsupport.TestTokens;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * Drives {@code POST /orders} over HTTP: in closed loop (a fixed number of connections,
 * each sending its next order when the previous one is answered) or in open loop at a
 * fixed rate, where latency counts from the moment each order was due (no coordinated
 * omission).
 */
final class LoadGenerator implements AutoCloseable {

	private final HttpClient client;

	private final ConnectionProvider connectionProvider;

	private final int connections;

	LoadGenerator(URI baseUri, int connections) {
		this.connections = connections;
		this.connectionProvider = ConnectionProvider.builder("bench")
			.maxConnections(Math.max(connections, 1024))
			.pendingAcquireMaxCount(-1)
			.build();
		this.client = HttpClient.create(this.connectionProvider)
			.baseUrl(baseUri.toString())
			.headers((headers) -> headers.set(HttpHeaderNames.CONTENT_TYPE, "application/json"))
			.responseTimeout(Duration.ofSeconds(30));
	}

	/**
	 * Places orders for a while.
	 * @param duration how long
	 * @param rate orders per second, or 0 for closed loop
	 * @param sender the sender of every order (tags the phase)
	 * @param stats where outcomes are counted
	 * @return completes when the phase is over and every answer is in
	 */
	Mono<Void> run(Duration duration, int rate, String sender, Stats stats) {
		long deadline = System.nanoTime() + duration.toNanos();
		byte[] body = ("{\"medicationId\": \"med-bench\", \"sender_userId\": \"" + sender + "\"}")
			.getBytes(StandardCharsets.UTF_8);
		String authorization = "Bearer " + TestTokens.shared().token(sender, "orders:write");
		HttpClient client = this.client.headers((headers) -> headers.set(HttpHeaderNames.AUTHORIZATION, authorization));
		if (rate <= 0) {
			return Flux.range(0, this.connections)
				.flatMap((i) -> Mono.defer(() -> post(client, body, System.nanoTime(), stats))
					.repeat(() -> System.nanoTime() < deadline), this.connections)
				.then();
		}
		long start = System.nanoTime();
		long total = duration.toSeconds() * rate;
		double intervalNanos = 1_000_000_000.0 / rate;
		AtomicLong due = new AtomicLong();
		return Flux.interval(Duration.ofMillis(1))
			.onBackpressureDrop()
			.takeWhile((tick) -> due.get() < total)
			.concatMap((tick) -> {
				long now = Math.min(total, (long) ((System.nanoTime() - start) / intervalNanos));
				long from = due.getAndSet(Math.max(now, due.get()));
				return Flux.range(0, (int) Math.max(0, now - from))
					.map((i) -> start + (long) ((from + i) * intervalNanos));
			})
			.flatMap((dueNanos) -> post(client, body, dueNanos, stats), 65_536)
			.then();
	}

	/**
	 * Places orders in streams ({@code POST /orders} with {@code application/x-ndjson})
	 * for a while, in closed loop: each of {@code streams} connections sends a stream of
	 * {@code ordersPerStream} orders as fast as the service reads them, reads the results
	 * as they come, and starts the next stream once the last result is in. With a window,
	 * a line is sent only while fewer than the window are unanswered, as a client that
	 * wants each order's answer soon does. An order's latency counts from the moment its
	 * line was handed to the connection to its result.
	 * @param duration how long streams are started
	 * @param streams concurrent streams
	 * @param ordersPerStream orders in each
	 * @param window most unanswered orders of one stream (0: no limit but the service's
	 * back-pressure)
	 * @param sender the sender of every order (tags the phase)
	 * @param stats where outcomes are counted, per order
	 * @return completes when the phase is over and every result is in
	 */
	Mono<Void> runStreams(Duration duration, int streams, int ordersPerStream, int window, String sender, Stats stats) {
		long deadline = System.nanoTime() + duration.toNanos();
		byte[] line = ("{\"medicationId\": \"med-bench\", \"sender_userId\": \"" + sender + "\"}\n")
			.getBytes(StandardCharsets.UTF_8);
		String authorization = "Bearer " + TestTokens.shared().token(sender, "orders:write", "orders:bulk");
		HttpClient client = this.client.headers((headers) -> headers.set(HttpHeaderNames.AUTHORIZATION, authorization)
			.set(HttpHeaderNames.CONTENT_TYPE, "application/x-ndjson"));
		return Flux.range(0, streams)
			.flatMap((i) -> Mono.defer(() -> stream(client, line, ordersPerStream, window, stats))
				.repeat(() -> System.nanoTime() < deadline), streams)
			.then();
	}

	private Mono<Void> stream(HttpClient client, byte[] line, int count, int window, Stats stats) {
		long[] sentAt = new long[count + 1];
		// A line goes out once fewer than the window are unanswered (0: as fast as the
		// connection takes them).
		Sinks.Many<Integer> answered = Sinks.many().unicast().onBackpressureBuffer();
		Flux<Integer> numbers = Flux.range(1, count);
		if (window > 0) {
			numbers = numbers.zipWith(Flux.range(0, window).concatWith(answered.asFlux()), (number, credit) -> number);
		}
		Flux<ByteBuf> body = numbers.map((number) -> {
			sentAt[number] = System.nanoTime();
			return Unpooled.wrappedBuffer(line);
		});
		StringBuilder pending = new StringBuilder();
		return client.post().uri("/orders").send(body).response((response, content) -> {
			if (response.status().code() != 200) {
				// A stream refused (too many open): one refusal, then a pause before the
				// next, as Retry-After asks.
				stats.record(response.status().code(), 0);
				return content.then(Mono.delay(Duration.ofSeconds(1))).then();
			}
			return content.asString(StandardCharsets.UTF_8).doOnNext((chunk) -> {
				pending.append(chunk);
				for (int end = pending.indexOf("\n"); end >= 0; end = pending.indexOf("\n")) {
					if (result(pending.substring(0, end), sentAt, stats)) {
						answered.tryEmitNext(end);
					}
					pending.delete(0, end + 1);
				}
			}).then();
		}).onErrorResume((ex) -> {
			stats.failed();
			return Mono.empty();
		}).then();
	}

	/**
	 * Counts one result line: {@code {"line":n,"result":"accepted",...}}.
	 * @return whether it was an order's (not the summary)
	 */
	private static boolean result(String result, long[] sentAt, Stats stats) {
		if (!result.startsWith(LINE_PREFIX)) {
			return false;
		}
		int number = Integer.parseInt(result, LINE_PREFIX.length(), result.indexOf(',', LINE_PREFIX.length()), 10);
		stats.record(result.contains(ACCEPTED) ? 202 : 400, System.nanoTime() - sentAt[number]);
		return true;
	}

	private static final String LINE_PREFIX = "{\"line\":";

	private static final String ACCEPTED = "\"result\":\"accepted\"";

	private Mono<Void> post(HttpClient client, byte[] body, long dueNanos, Stats stats) {
		return client.post()
			.uri("/orders")
			.send(ByteBufFlux.fromInbound(Mono.just(body)))
			.responseSingle((response, content) -> content.then(Mono.just(response.status().code())))
			.doOnNext((status) -> stats.record(status, System.nanoTime() - dueNanos))
			.onErrorResume((ex) -> {
				stats.failed();
				return Mono.empty();
			})
			.then();
	}

	@Override
	public void close() {
		this.connectionProvider.dispose();
	}

	/**
	 * Outcomes of one phase: answers by class and latency, per interval and in total.
	 */
	static final class Stats {

		private final AtomicLong accepted = new AtomicLong();

		private final AtomicLong refused = new AtomicLong();

		private final AtomicLong failed = new AtomicLong();

		private final Recorder latency = new Recorder(3);

		private final Histogram total = new Histogram(3);

		void record(int status, long nanos) {
			if (status >= 200 && status < 300) {
				this.accepted.incrementAndGet();
				this.latency.recordValue(Math.max(1, nanos / 1000));
			}
			else {
				this.refused.incrementAndGet();
			}
		}

		void failed() {
			this.failed.incrementAndGet();
		}

		long accepted() {
			return this.accepted.get();
		}

		long refused() {
			return this.refused.get();
		}

		long failedRequests() {
			return this.failed.get();
		}

		/**
		 * Latencies (microseconds) since the previous call, added to the total.
		 * @return the interval's histogram
		 */
		synchronized Histogram interval() {
			Histogram interval = this.latency.getIntervalHistogram();
			this.total.add(interval);
			return interval;
		}

		synchronized Histogram total() {
			this.total.add(this.latency.getIntervalHistogram());
			return this.total.copy();
		}

	}

}
