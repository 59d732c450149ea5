package dev.orderpipeline.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The benchmark's options, from {@code --name=value} arguments.
 *
 * @param warmup load before measuring, so every compared figure is taken on a warm JVM
 * @param duration measured load
 * @param connections concurrent HTTP connections in closed loop
 * @param rate orders per second in open loop; 0 for closed loop
 * @param backlogs queued backlogs whose drain is timed
 * @param ceilings whether to measure the machine's ceilings (the broker's, PostgreSQL's)
 * @param ceilingDuration how long each ceiling is measured
 * @param sourceJar the packaged order-source
 * @param sinkJar the packaged order-sink
 * @param output where the results (JSON, HTML) are written
 * @param heap the heap given to each service
 * @param wrk whether wrk drives the load instead of the benchmark's own generator
 * @param binder the broker the services run on: {@code rabbit} or {@code kafka}
 * @param liveStreams the idle live streams whose memory is measured (0: no live-stream
 * measurement)
 * @param liveOrders the orders whose delay to a following client is measured
 * @param intakes the intakes measured one after the other: {@code single} (an order per
 * request) and {@code stream} (streams of orders)
 * @param streams concurrent streams of the streaming intake
 * @param streamOrders orders in each stream
 * @param streamWindow most unanswered orders of one stream (0: as fast as the service
 * reads)
 * @param reference whether the minimal reference pipeline is measured too, with the same
 * load generator, warm-up and duration
 */
record BenchOptions(Duration warmup, Duration duration, int connections, int rate, List<Integer> backlogs,
		boolean ceilings, Duration ceilingDuration, Path sourceJar, Path sinkJar, Path output, String heap, boolean wrk,
		String binder, int liveStreams, int liveOrders, List<String> intakes, int streams, int streamOrders,
		int streamWindow, boolean reference) {

	static final String USAGE = """
			bench/run [--name=value ...]
			  --warmup=60s          closed-loop load before measuring (JIT warm-up; then 10 s at --rate)
			  --duration=60s        measured load
			  --connections=64      concurrent connections (closed loop)
			  --rate=0              orders/s, open loop at a fixed rate (0: closed loop)
			  --backlogs=10000,100000,1000000   queued backlogs whose drain is timed (none: empty)
			  --binder=rabbit       the services' broker: rabbit or kafka (both run on the benchmark's own)
			  --ceilings=true       measure the broker's ceiling (RabbitMQ PerfTest; Kafka: a plain producer
			                        and consumer at acks=all) and PostgreSQL's insert ceiling
			  --ceiling-duration=15s
			  --heap=128m           -Xmx of each service
			  --load-generator=own  own (Reactor Netty, in this JVM) or wrk (from the OS packages: closed
			                        loop only, figures at the end, less of the machine's CPU)
			  --live-streams=1000   idle live streams held open on the sink, whose memory is measured
			                        (0: no live-stream measurement)
			  --live-orders=500     orders placed at 50/s while a client follows their sender: the delay
			                        from each order's row to that client
			  --intake=single       single (an order per request), stream (application/x-ndjson streams of
			                        orders, own load generator, closed loop) or single,stream (both, in turn)
			  --streams=8           concurrent streams (--intake=stream)
			  --stream-orders=1000  orders per stream (--intake=stream)
			  --stream-window=128   most unanswered orders of a stream (0: as fast as the service reads)
			  --reference=true      also measure the minimal reference pipeline (bench/, no Spring, no
			                        security) with the same load, for the share of it each figure is
			  --output=bench/results
			""";

	static BenchOptions parse(String[] args) {
		Map<String, String> values = new HashMap<>();
		for (String arg : args) {
			if (!arg.startsWith("--") || !arg.contains("=")) {
				throw new IllegalArgumentException("Unexpected argument " + arg + "\n" + USAGE);
			}
			values.put(arg.substring(2, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
		}
		String version = System.getProperty("bench.version", "0.1.0-SNAPSHOT");
		BenchOptions options = new BenchOptions(duration(values.remove("warmup"), "60s"),
				duration(values.remove("duration"), "60s"), Integer.parseInt(values.getOrDefault("connections", "64")),
				Integer.parseInt(values.getOrDefault("rate", "0")), backlogs(values.remove("backlogs")),
				Boolean.parseBoolean(values.getOrDefault("ceilings", "true")),
				duration(values.remove("ceiling-duration"), "15s"),
				Path.of(values.getOrDefault("source-jar", "order-source/target/order-source-" + version + ".jar")),
				Path.of(values.getOrDefault("sink-jar", "order-sink/target/order-sink-" + version + ".jar")),
				Path.of(values.getOrDefault("output", "bench/results")), values.getOrDefault("heap", "128m"),
				wrk(values.remove("load-generator")), values.getOrDefault("binder", "rabbit"),
				Integer.parseInt(values.getOrDefault("live-streams", "1000")),
				Integer.parseInt(values.getOrDefault("live-orders", "500")),
				List.of(values.getOrDefault("intake", "single").split(",")),
				Integer.parseInt(values.getOrDefault("streams", "8")),
				Integer.parseInt(values.getOrDefault("stream-orders", "1000")),
				Integer.parseInt(values.getOrDefault("stream-window", "128")),
				Boolean.parseBoolean(values.getOrDefault("reference", "true")));
		values.keySet()
			.removeAll(List.of("connections", "rate", "ceilings", "source-jar", "sink-jar", "output", "heap", "binder",
					"live-streams", "live-orders", "intake", "streams", "stream-orders", "stream-window", "reference"));
		if (!values.isEmpty()) {
			throw new IllegalArgumentException("Unknown options " + values.keySet() + "\n" + USAGE);
		}
		if (!List.of("rabbit", "kafka").contains(options.binder())) {
			throw new IllegalArgumentException("--binder is rabbit or kafka, not " + options.binder() + "\n" + USAGE);
		}
		if (options.intakes().isEmpty() || !List.of("single", "stream").containsAll(options.intakes())) {
			throw new IllegalArgumentException(
					"--intake is single, stream or single,stream, not " + options.intakes() + "\n" + USAGE);
		}
		if (options.intakes().contains("stream") && (options.wrk() || options.rate() > 0)) {
			throw new IllegalArgumentException("--intake=stream runs on the own load generator in closed loop: drop "
					+ "--load-generator=wrk and --rate\n" + USAGE);
		}
		if (options.wrk() && options.rate() > 0) {
			throw new IllegalArgumentException(
					"wrk runs in closed loop only: drop --rate, or use --load-generator=own\n" + USAGE);
		}
		if (options.wrk() && !WrkLoad.available()) {
			throw new IllegalArgumentException("wrk is not installed (Debian, Ubuntu: apt-get install wrk)");
		}
		return options;
	}

	private static Duration duration(String value, String fallback) {
		String text = (value != null) ? value : fallback;
		if (text.endsWith("ms")) {
			return Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2)));
		}
		if (text.endsWith("s")) {
			return Duration.ofSeconds(Long.parseLong(text.substring(0, text.length() - 1)));
		}
		if (text.endsWith("m")) {
			return Duration.ofMinutes(Long.parseLong(text.substring(0, text.length() - 1)));
		}
		return Duration.ofSeconds(Long.parseLong(text));
	}

	private static boolean wrk(String value) {
		if (value == null || value.equals("own")) {
			return false;
		}
		if (value.equals("wrk")) {
			return true;
		}
		throw new IllegalArgumentException("--load-generator is own or wrk, not " + value + "\n" + USAGE);
	}

	private static List<Integer> backlogs(String value) {
		String text = (value != null) ? value : "10000,100000,1000000";
		List<Integer> backlogs = new ArrayList<>();
		if (!text.isBlank() && !text.equals("none")) {
			for (String size : text.split(",")) {
				backlogs.add(Integer.parseInt(size.trim()));
			}
		}
		return backlogs;
	}

}
