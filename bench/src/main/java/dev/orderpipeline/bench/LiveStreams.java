package dev.orderpipeline.bench;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.orderpipeline.testsupport.TestTokens;
import io.netty.handler.codec.http.HttpHeaderNames;
import org.HdrHistogram.Histogram;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * Live streams measured on the running sink: the memory a number of idle streams holds
 * (resident set and heap after a full collection, before and after opening them), and the
 * delay from an order's row to a client following its sender, while those streams stay
 * open and orders are placed through the source.
 */
final class LiveStreams {

	private static final Pattern STORED_AT = Pattern.compile("\"storedAt\":\"([^\"]+)\"");

	private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)K");

	private static final Duration TIMEOUT = Duration.ofSeconds(60);

	private LiveStreams() {
	}

	/**
	 * Measures.
	 * @param sink the sink's base URI
	 * @param source the source's base URI
	 * @param sinkPid the sink's process
	 * @param idle the idle streams to open
	 * @param orders the orders to place while one more stream follows their sender
	 * @param rate their pace, orders per second
	 * @return the figures
	 */
	static Map<String, Object> measure(URI sink, URI source, long sinkPid, int idle, int orders, int rate)
			throws Exception {
		ConnectionProvider connections = ConnectionProvider.builder("bench-live")
			.maxConnections(idle + 16)
			.pendingAcquireMaxCount(-1)
			.build();
		HttpClient client = HttpClient.create(connections);
		Disposable.Composite open = Disposables.composite();
		try {
			long rssBefore = rssKilobytes(sinkPid);
			long heapBefore = heapUsedAfterGc(sinkPid);
			CountDownLatch opened = new CountDownLatch(idle);
			for (int i = 0; i < idle; i++) {
				String follower = "bench-follower-" + i;
				open.add(follow(client, sink, follower).switchOnFirst((first, chunks) -> {
					if (first.hasValue()) {
						opened.countDown();
					}
					return chunks;
				}).subscribe());
			}
			if (!opened.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
				throw new IllegalStateException(opened.getCount() + " of " + idle + " streams did not open");
			}
			long rssAfter = rssKilobytes(sinkPid);
			long heapAfter = heapUsedAfterGc(sinkPid);
			Map<String, Object> figures = new LinkedHashMap<>();
			figures.put("idleStreams", idle);
			figures.put("rssMegabytesBefore", rssBefore / 1024);
			figures.put("rssMegabytesWith", rssAfter / 1024);
			figures.put("heapMegabytesBefore", heapBefore / 1024);
			figures.put("heapMegabytesWith", heapAfter / 1024);
			figures.put("rssKilobytesPerStream", Math.round((double) (rssAfter - rssBefore) / Math.max(idle, 1)));
			figures.put("heapKilobytesPerStream", Math.round((double) (heapAfter - heapBefore) / Math.max(idle, 1)));
			figures.putAll(delay(client, sink, source, orders, rate));
			System.out.printf(
					"%nlive: %,d idle streams: sink RSS %,d -> %,d MB, heap after GC %,d -> %,d MB; "
							+ "row -> client p50/p99/max %s/%s/%s ms, %s of %s events%n",
					idle, rssBefore / 1024, rssAfter / 1024, heapBefore / 1024, heapAfter / 1024,
					figures.get("rowToClientMillisP50"), figures.get("rowToClientMillisP99"),
					figures.get("rowToClientMillisMax"), figures.get("received"), orders);
			return figures;
		}
		finally {
			open.dispose();
			connections.disposeLater().block(TIMEOUT);
		}
	}

	private static Map<String, Object> delay(HttpClient client, URI sink, URI source, int orders, int rate)
			throws InterruptedException {
		String sender = "bench-live";
		Histogram delays = new Histogram(3_600_000_000L, 3);
		AtomicLong received = new AtomicLong();
		AtomicLong refused = new AtomicLong();
		CountDownLatch following = new CountDownLatch(1);
		CountDownLatch all = new CountDownLatch(orders);
		StringBuilder pending = new StringBuilder();
		Disposable stream = follow(client, sink, sender).doOnNext((chunk) -> {
			following.countDown();
			pending.append(chunk);
			int end;
			while ((end = pending.indexOf("\n")) >= 0) {
				String line = pending.substring(0, end);
				pending.delete(0, end + 1);
				Matcher stored = STORED_AT.matcher(line);
				if (stored.find()) {
					long micros = Duration.between(Instant.parse(stored.group(1)), Instant.now()).toNanos() / 1000;
					delays.recordValue(Math.max(0, micros));
					received.incrementAndGet();
					all.countDown();
				}
			}
		}).subscribe();
		try {
			if (!following.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
				throw new IllegalStateException("the delay's stream did not open");
			}
			String authorization = "Bearer " + TestTokens.shared().token(sender, "orders:write");
			byte[] body = ("{\"medicationId\": \"med-bench\", \"sender_userId\": \"" + sender + "\"}")
				.getBytes(StandardCharsets.UTF_8);
			Flux.interval(Duration.ofNanos(1_000_000_000L / Math.max(rate, 1)))
				.take(orders)
				.flatMap((i) -> client
					.headers((headers) -> headers.set(HttpHeaderNames.AUTHORIZATION, authorization)
						.set(HttpHeaderNames.CONTENT_TYPE, "application/json"))
					.post()
					.uri(source.resolve("/orders"))
					.send(ByteBufFlux.fromInbound(Mono.just(body)))
					.response()
					.doOnNext((response) -> {
						if (response.status().code() != 202) {
							refused.incrementAndGet();
						}
					})
					.then())
				.blockLast(TIMEOUT.plusSeconds(orders / Math.max(rate, 1)));
			all.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
		}
		finally {
			stream.dispose();
		}
		Map<String, Object> figures = new LinkedHashMap<>();
		figures.put("orders", orders);
		figures.put("ordersPerSecond", rate);
		figures.put("refused", refused.get());
		figures.put("received", received.get());
		figures.put("rowToClientMillisP50", delays.getValueAtPercentile(50) / 1000.0);
		figures.put("rowToClientMillisP99", delays.getValueAtPercentile(99) / 1000.0);
		figures.put("rowToClientMillisMax", delays.getMaxValue() / 1000.0);
		return figures;
	}

	private static Flux<String> follow(HttpClient client, URI sink, String sender) {
		String authorization = "Bearer " + TestTokens.shared().token(sender, "orders:read");
		return client
			.headers((headers) -> headers.set(HttpHeaderNames.AUTHORIZATION, authorization)
				.set(HttpHeaderNames.ACCEPT, "application/x-ndjson"))
			.get()
			.uri(sink.resolve("/senders/" + sender + "/events"))
			.response(
					(response, content) -> (response.status().code() == 200) ? content.asString(StandardCharsets.UTF_8)
							: Flux.error(new IllegalStateException("a live stream answered " + response.status())));
	}

	private static long rssKilobytes(long pid) throws IOException {
		for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
			if (line.startsWith("VmRSS:")) {
				return Long.parseLong(line.replaceAll("\\D", ""));
			}
		}
		throw new IllegalStateException("no VmRSS for process " + pid);
	}

	private static long heapUsedAfterGc(long pid) throws IOException, InterruptedException {
		String jcmd = ProcessHandle.of(pid)
			.flatMap((process) -> process.info().command())
			.map((java) -> Path.of(java).resolveSibling("jcmd").toString())
			.orElse("jcmd");
		jcmd(jcmd, pid, "GC.run");
		// The heap's spaces: "def new generation" and "tenured generation" (Serial), or
		// "garbage-first heap"; not Metaspace.
		long kilobytes = 0;
		boolean found = false;
		for (String line : jcmd(jcmd, pid, "GC.heap_info").split("\n")) {
			Matcher used = HEAP_USED.matcher(line);
			if ((line.contains("generation") || line.contains(" heap ")) && used.find()) {
				kilobytes += Long.parseLong(used.group(1));
				found = true;
			}
		}
		if (!found) {
			throw new IllegalStateException("jcmd GC.heap_info gave no heap use");
		}
		return kilobytes;
	}

	private static String jcmd(String jcmd, long pid, String command) throws IOException, InterruptedException {
		Process process = new ProcessBuilder(jcmd, Long.toString(pid), command).redirectErrorStream(true).start();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
			throw new IllegalStateException("jcmd " + command + " failed: " + output);
		}
		return output;
	}

}
