package dev.orderpipeline.bench;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.stream.Stream;

import dev.orderpipeline.bench.reference.MinimalPipeline;
import dev.orderpipeline.testsupport.ServiceProcess;
import dev.orderpipeline.testsupport.TestDatabase;
import dev.orderpipeline.testsupport.servers.TestKafka;
import dev.orderpipeline.testsupport.servers.TestPostgresql;
import dev.orderpipeline.testsupport.servers.TestRabbitMq;
import org.HdrHistogram.Histogram;
import reactor.core.publisher.Mono;

/**
 * The pipeline's benchmark. One run: the machine's ceilings, then a fresh database and
 * queue, both services started as processes, HTTP load (warm-up, then measured), the
 * drain of the measured orders, and the drain of queued backlogs. Prints a progress line
 * while it runs and a summary at the end, and writes the figures as JSON and a chart as
 * HTML.
 */
public final class Benchmark {

	/** How long the load runs at the measured rate after the warm-up, in open loop. */
	private static final Duration OPEN_LOOP_WARMUP = Duration.ofSeconds(10);

	private final BenchOptions options;

	private final BenchBroker broker;

	private final String runId = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
		.withZone(ZoneOffset.UTC)
		.format(Instant.now());

	private final Map<String, Object> results = new LinkedHashMap<>();

	private Benchmark(BenchOptions options) {
		this.options = options;
		this.broker = BenchBroker.of(options.binder());
	}

	public static void main(String[] args) throws Exception {
		BenchOptions options;
		try {
			options = BenchOptions.parse(args);
		}
		catch (IllegalArgumentException ex) {
			System.err.println(ex.getMessage());
			System.exit(2);
			return;
		}
		Path results = run(options);
		System.out.println("Results: " + results + " and "
				+ results.resolveSibling(results.getFileName().toString().replace(".json", ".html")));
		System.exit(0);
	}

	/**
	 * Runs the benchmark.
	 * @param options the options
	 * @return the JSON results file
	 */
	public static Path run(BenchOptions options) throws Exception {
		return new Benchmark(options).execute();
	}

	/**
	 * The pace of the orders whose delay to a following client is measured, per second.
	 */
	private static final int LIVE_RATE = 50;

	private Path execute() throws Exception {
		Files.createDirectories(this.options.output());
		Path logs = this.options.output().resolve("logs-" + this.runId);
		Files.createDirectories(logs);
		this.results.put("run", this.runId);
		Map<String, Object> options = new LinkedHashMap<>();
		options.put("warmupSeconds", this.options.warmup().toSeconds());
		options.put("durationSeconds", this.options.duration().toSeconds());
		options.put("connections", this.options.connections());
		options.put("rate", this.options.rate());
		options.put("heap", this.options.heap());
		options.put("cores", Runtime.getRuntime().availableProcessors());
		options.put("binder", this.options.binder());
		options.put("intakes", this.options.intakes());
		options.put("streams", this.options.streams());
		options.put("streamOrders", this.options.streamOrders());
		options.put("streamWindow", this.options.streamWindow());
		this.results.put("options", options);
		TestDatabase database = TestDatabase.create("orders_bench");
		String queue = "orders_bench_" + this.runId.replace("-", "_");
		try {
			if (this.options.ceilings()) {
				measureCeilings(database, logs);
			}
			this.broker.prepare(queue);
			List<String> common = this.broker.arguments(queue);
			List<String> sinkArguments = new ArrayList<>(common);
			sinkArguments.addAll(database.arguments());
			// The idle streams, and one that follows the orders placed.
			sinkArguments.add("--orders.sink.live.max-streams=" + (this.options.liveStreams() + 1));
			ServiceProcess sink = ServiceProcess.start("order-sink", this.options.sinkJar(), logs, sinkArguments,
					Map.of(), this.options.heap());
			try (ServiceProcess source = ServiceProcess.start("order-source", this.options.sourceJar(), logs,
					Stream.concat(common.stream(), Stream.of("--orders.source.max-in-flight=4096",
							// One sender places every order of a phase, in
							// as many streams at once as asked.
							"--orders.source.rate-limit.enabled=false",
							"--orders.source.stream.max-streams=" + Math.max(16, this.options.streams()),
							"--orders.source.stream.max-streams-per-caller=" + this.options.streams()))
						.toList(),
					Map.of(), this.options.heap())) {
				measureLoad(database, source, sink, logs);
				if (this.options.liveStreams() > 0) {
					progress("live streams: " + this.options.liveStreams() + " idle, then " + this.options.liveOrders()
							+ " orders followed");
					this.results.put("live", LiveStreams.measure(sink.baseUri(), source.baseUri(), sink.pid(),
							this.options.liveStreams(), this.options.liveOrders(), LIVE_RATE));
				}
			}
			finally {
				sink.stop();
			}
			if (this.options.reference()) {
				measureReference(queue + "_ref", logs);
			}
			measureBacklogs(database, queue, sinkArguments, logs);
		}
		finally {
			database.drop();
			this.broker.delete(queue);
		}
		return Report.write(this.options.output(), this.runId, this.results);
	}

	private void measureCeilings(TestDatabase database, Path logs) throws Exception {
		progress("ceilings: " + this.broker.name() + " for " + this.options.ceilingDuration().toSeconds() + " s");
		double broker = this.broker.ceiling(this.options.ceilingDuration(), logs);
		progress("ceilings: PostgreSQL 100-row inserts for " + this.options.ceilingDuration().toSeconds() + " s");
		double inserts = Ceilings.postgresInserts(database, this.options.ceilingDuration());
		this.results.put("ceilings",
				Map.of(this.broker.ceilingKey(), Math.round(broker), "postgresqlRowsPerSecond", Math.round(inserts)));
		System.out.printf("%nceilings: %s %,.0f msg/s (durable, acknowledged); PostgreSQL %,.0f rows/s%n",
				this.broker.name(), broker, inserts);
	}

	private void measureLoad(TestDatabase database, ServiceProcess source, ServiceProcess sink, Path logs)
			throws Exception {
		List<ProcessStats> services = List.of(ProcessStats.of("order-source", source.pid()),
				ProcessStats.of("order-sink", sink.pid()),
				ProcessStats.inGroup(this.broker.name(), this.broker.processGroup()),
				// The cluster's watchdog leads its group; the backends start sessions of
				// their own, so they are found as its descendants.
				ProcessStats.inTree("postgresql", TestPostgresql.shared().processGroup()));
		if (this.options.wrk()) {
			measureWithWrk(database, source, services, logs);
			return;
		}
		for (String intake : this.options.intakes()) {
			measureWithOwnGenerator(database, source.baseUri(), services, intake,
					intake.equals("stream") ? "streamLoad" : "load");
		}
	}

	/**
	 * Measures the minimal reference pipeline (bench/.../reference, not product code) on
	 * a database and queue of its own, with the same load generator, warm-up and duration
	 * as the product's single-order intake.
	 */
	private void measureReference(String queue, Path logs) throws Exception {
		progress("reference pipeline: starting");
		TestDatabase database = TestDatabase.create("orders_ref");
		try {
			this.broker.prepare(queue);
			List<String> arguments = new ArrayList<>(List.of("--binder=" + this.options.binder(), "--queue=" + queue,
					"--jdbc-url=jdbc:postgresql://" + TestPostgresql.shared().server() + "/" + database.name(),
					"--jdbc-user=" + database.user(), "--jdbc-password=" + database.password()));
			arguments.add(
					this.options.binder().equals("kafka") ? "--kafka-bootstrap=" + TestKafka.shared().bootstrapServers()
							: "--rabbit-uri=" + TestRabbitMq.shared().uri());
			try (ServiceProcess reference = ServiceProcess.startMain("reference-pipeline",
					System.getProperty("java.class.path"), MinimalPipeline.class.getName(), logs, arguments,
					this.options.heap())) {
				List<ProcessStats> processes = List.of(ProcessStats.of("reference", reference.pid()),
						ProcessStats.inGroup(this.broker.name(), this.broker.processGroup()),
						ProcessStats.inTree("postgresql", TestPostgresql.shared().processGroup()));
				measureWithOwnGenerator(database, reference.baseUri(), processes, "single", "reference");
			}
		}
		finally {
			database.drop();
			this.broker.delete(queue);
		}
		recordShares();
	}

	/** Each product figure as a share of the reference's, measured in the same run. */
	@SuppressWarnings("unchecked")
	private void recordShares() {
		Map<String, Object> reference = (Map<String, Object>) this.results.get("reference");
		long referenceStored = ((Number) reference.get("storedPerSecond")).longValue();
		long referenceCpu = cpuMicrosPerOrder(reference, "reference");
		Map<String, Object> shares = new LinkedHashMap<>();
		for (String key : List.of("load", "streamLoad")) {
			Map<String, Object> load = (Map<String, Object>) this.results.get(key);
			if (load == null || referenceStored == 0) {
				continue;
			}
			long stored = ((Number) load.get("storedPerSecond")).longValue();
			shares.put(key + "StoredShareOfReference", Math.round(1000.0 * stored / referenceStored) / 1000.0);
			long services = cpuMicrosPerOrder(load, "order-source") + cpuMicrosPerOrder(load, "order-sink");
			shares.put(key + "SourceCpuMicrosPerOrder", cpuMicrosPerOrder(load, "order-source"));
			shares.put(key + "ServicesCpuMicrosPerOrder", services);
			System.out.printf(
					"%n%s: stored %,d/s = %.1f %% of the reference's %,d/s; source and sink %d µs CPU per "
							+ "order against the reference's %d µs (intake, publisher and writer in one process)",
					key, stored, 100.0 * stored / referenceStored, referenceStored, services, referenceCpu);
		}
		shares.put("referenceCpuMicrosPerOrder", referenceCpu);
		this.results.put("shares", shares);
		System.out.println();
	}

	@SuppressWarnings("unchecked")
	private static long cpuMicrosPerOrder(Map<String, Object> load, String process) {
		Map<String, Object> resources = (Map<String, Object>) load.get("resources");
		Map<String, Object> figures = (Map<String, Object>) resources.get(process);
		return (figures != null) ? ((Number) figures.get("cpuMicrosPerOrder")).longValue() : 0;
	}

	private void measureWithOwnGenerator(TestDatabase database, URI target, List<ProcessStats> services, String intake,
			String key) throws Exception {
		boolean streams = intake.equals("stream");
		String prefix = switch (key) {
			case "streamLoad" -> "bench-stream-";
			case "reference" -> "bench-reference-";
			default -> "bench-";
		};
		String warmupSender = prefix + "warmup";
		String measuredSender = prefix + "measured";
		List<ProcessStats> processes = new ArrayList<>(services);
		processes.add(ProcessStats.of("load-generator", ProcessHandle.current().pid()));
		try (LoadGenerator load = new LoadGenerator(target, this.options.connections())) {
			// The warm-up runs in closed loop whatever the measured rate: the JIT warms
			// the same way for every figure, and a cold service is not buried under a
			// rate it cannot take yet, whose backlog would still be draining when
			// measuring starts. In open loop, a few seconds at the measured rate follow,
			// so the load generator's own open-loop path is warm too.
			LoadGenerator.Stats warmup = new LoadGenerator.Stats();
			runPhase(key + " warm-up", this.options.warmup(), warmup, List.of(),
					() -> streams
							? load.runStreams(this.options.warmup(), this.options.streams(),
									this.options.streamOrders(), this.options.streamWindow(), warmupSender, warmup)
							: load.run(this.options.warmup(), 0, warmupSender, warmup));
			LoadGenerator.Stats atRate = new LoadGenerator.Stats();
			if (this.options.rate() > 0) {
				runPhase(key + " warm-up at rate", OPEN_LOOP_WARMUP, atRate, List.of(),
						() -> load.run(OPEN_LOOP_WARMUP, this.options.rate(), warmupSender, atRate));
			}
			progress("storing the warm-up's orders");
			awaitStored(database, warmupSender, warmup.accepted() + atRate.accepted(), List.of());
			processes.forEach(ProcessStats::start);
			LoadGenerator.Stats measured = new LoadGenerator.Stats();
			Instant start = Instant.now();
			List<Map<String, Object>> series = runPhase(key + " measure", this.options.duration(), measured, processes,
					() -> streams
							? load.runStreams(this.options.duration(), this.options.streams(),
									this.options.streamOrders(), this.options.streamWindow(), measuredSender, measured)
							: load.run(this.options.duration(), this.options.rate(), measuredSender, measured));
			Duration elapsed = Duration.between(start, Instant.now());
			progress("draining the measured orders");
			awaitStored(database, measuredSender, measured.accepted(), processes);
			Histogram latency = measured.total();
			recordLoad(key, measuredSender, database,
					new Answers(measured.accepted(), measured.refused(), measured.failedRequests(), elapsed,
							new long[] { latency.getValueAtPercentile(50), latency.getValueAtPercentile(99),
									latency.getValueAtPercentile(99.9), latency.getMaxValue() }),
					series, processes);
		}
	}

	private void measureWithWrk(TestDatabase database, ServiceProcess source, List<ProcessStats> services, Path logs)
			throws Exception {
		WrkLoad wrk = new WrkLoad(source.baseUri(), this.options.connections(), logs);
		WrkLoad.Result warmup = runWrk("warm-up", wrk, this.options.warmup(), "bench-warmup", List.of(),
				new CopyOnWriteArrayList<>());
		progress("storing the warm-up's orders");
		awaitStored(database, "bench-warmup", warmup.accepted(), List.of());
		// wrk's process is sampled while it runs; its CPU time comes from the shell
		// that ran it, once it ended.
		List<Long> wrkPid = new CopyOnWriteArrayList<>();
		ProcessStats generator = new ProcessStats("load-generator", () -> List.copyOf(wrkPid));
		List<ProcessStats> processes = new ArrayList<>(services);
		processes.add(generator);
		processes.forEach(ProcessStats::start);
		Instant start = Instant.now();
		WrkLoad.Result measured = runWrk("measure", wrk, this.options.duration(), "bench-measured", processes, wrkPid);
		Duration elapsed = Duration.between(start, Instant.now());
		wrkPid.clear();
		generator.addEndedCpuMicros(measured.cpuMicros());
		progress("draining the measured orders");
		awaitStored(database, "bench-measured", measured.accepted(), processes);
		// Orders wrk left unanswered may be among the rows: the count settles before
		// anything is read from it.
		awaitSettled(database, "bench-measured", processes);
		recordLoad("load", "bench-measured", database, new Answers(measured.accepted(), measured.refused(),
				measured.failed(), elapsed, measured.latencyMicros()), List.of(), processes);
	}

	private WrkLoad.Result runWrk(String phase, WrkLoad wrk, Duration duration, String sender,
			List<ProcessStats> processes, List<Long> wrkPid) throws Exception {
		ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
		long start = System.nanoTime();
		AtomicReference<ProcessHandle> shell = new AtomicReference<>();
		ticker.scheduleAtFixedRate(() -> {
			// wrk is the shell's child, looked up until it is found.
			if (wrkPid.isEmpty() && shell.get() != null) {
				shell.get().descendants().findFirst().ifPresent((process) -> wrkPid.add(process.pid()));
			}
			processes.forEach(ProcessStats::sample);
			progress(String.format("%s %3d/%d s  (wrk reports at the end)", phase,
					(System.nanoTime() - start) / 1_000_000_000L, duration.toSeconds()));
		}, 1, 1, TimeUnit.SECONDS);
		try {
			return wrk.run(duration, sender, shell::set);
		}
		finally {
			ticker.shutdownNow();
			ticker.awaitTermination(10, TimeUnit.SECONDS);
		}
	}

	private static void awaitSettled(TestDatabase database, String sender, List<ProcessStats> processes)
			throws Exception {
		long previous = -1;
		long count = database.countOrders("sender_user_id = '" + sender + "'");
		Instant deadline = Instant.now().plusSeconds(30);
		while (count != previous && Instant.now().isBefore(deadline)) {
			processes.forEach(ProcessStats::sample);
			TimeUnit.SECONDS.sleep(1);
			previous = count;
			count = database.countOrders("sender_user_id = '" + sender + "'");
		}
	}

	private static void awaitStored(TestDatabase database, String sender, long accepted, List<ProcessStats> processes)
			throws Exception {
		Instant deadline = Instant.now().plusSeconds(120);
		while (database.countOrders("sender_user_id = '" + sender + "'") < accepted
				&& Instant.now().isBefore(deadline)) {
			processes.forEach(ProcessStats::sample);
			TimeUnit.MILLISECONDS.sleep(500);
		}
	}

	private List<Map<String, Object>> runPhase(String phase, Duration duration, LoadGenerator.Stats stats,
			List<ProcessStats> processes, Supplier<Mono<Void>> load) {
		List<Map<String, Object>> series = new ArrayList<>();
		ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
		long start = System.nanoTime();
		long[] previous = { 0 };
		ticker.scheduleAtFixedRate(() -> {
			processes.forEach(ProcessStats::sample);
			Histogram interval = stats.interval();
			long accepted = stats.accepted();
			long second = (System.nanoTime() - start) / 1_000_000_000L;
			series.add(Map.of("second", second, "accepted", accepted - previous[0], "p50Millis",
					interval.getValueAtPercentile(50) / 1000.0, "p99Millis",
					interval.getValueAtPercentile(99) / 1000.0));
			progress(String.format("%s %3d/%d s  accepted %,d/s  p99 %.1f ms  refused %,d  failed %,d", phase, second,
					duration.toSeconds(), accepted - previous[0], interval.getValueAtPercentile(99) / 1000.0,
					stats.refused(), stats.failedRequests()));
			previous[0] = accepted;
		}, 1, 1, TimeUnit.SECONDS);
		try {
			load.get().block();
		}
		finally {
			ticker.shutdownNow();
		}
		return series;
	}

	private void recordLoad(String key, String sender, TestDatabase database, Answers measured,
			List<Map<String, Object>> series, List<ProcessStats> processes) throws Exception {
		long accepted = measured.accepted();
		long[] latency = measured.latencyMicros();
		Map<String, Object> load = new LinkedHashMap<>();
		load.put("loadGenerator", this.options.wrk() ? "wrk" : "reactor-netty");
		load.put("intake", key.equals("streamLoad") ? "stream" : "single");
		if (this.options.wrk()) {
			// Stored but not counted as accepted: wrk stops without waiting for them.
			load.put("unansweredAtEndAtMost", this.options.connections());
		}
		load.put("accepted", accepted);
		load.put("refused", measured.refused());
		load.put("failed", measured.failed());
		load.put("acceptedPerSecond", Math.round(accepted / (measured.elapsed().toMillis() / 1000.0)));
		load.put("acceptLatencyMillis", Map.of("p50", latency[0] / 1000.0, "p99", latency[1] / 1000.0, "p999",
				latency[2] / 1000.0, "max", latency[3] / 1000.0));
		try (Connection connection = database.connect(); Statement statement = connection.createStatement()) {
			ResultSet stored = statement
				.executeQuery("SELECT count(*), " + "extract(epoch FROM max(stored_at) - min(stored_at)), "
						+ "percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM stored_at - created_at)), "
						+ "percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM stored_at - created_at)) "
						+ "FROM orders WHERE sender_user_id = '" + sender + "'");
			stored.next();
			long rows = stored.getLong(1);
			load.put("stored", rows);
			load.put("storedPerSecond", Math.round(rows / Math.max(stored.getDouble(2), 0.001)));
			load.put("lost", Math.max(0, accepted - rows));
			load.put("acceptToStoredMillis",
					Map.of("p50", stored.getDouble(3) * 1000, "p99", stored.getDouble(4) * 1000));
			ResultSet perSecond = statement.executeQuery("SELECT extract(epoch FROM date_trunc('second', stored_at) "
					+ "- (SELECT date_trunc('second', min(stored_at)) FROM orders WHERE sender_user_id = '" + sender
					+ "'))::int, count(*) FROM orders WHERE sender_user_id = '" + sender + "' GROUP BY 1 ORDER BY 1");
			List<Map<String, Object>> storedSeries = new ArrayList<>();
			while (perSecond.next()) {
				storedSeries.add(Map.of("second", perSecond.getLong(1), "stored", perSecond.getLong(2)));
			}
			if (key.equals("load")) {
				this.results.put("storedSeries", storedSeries);
			}
		}
		Map<String, Object> resources = new LinkedHashMap<>();
		for (ProcessStats process : processes) {
			resources.put(process.name(), Map.of("peakRssMegabytes", process.peakRssBytes() / (1024 * 1024),
					"cpuMicrosPerOrder", (accepted > 0) ? process.cpuMicrosSinceStart() / accepted : 0));
		}
		load.put("resources", resources);
		this.results.put(key, load);
		if (key.equals("load")) {
			this.results.put("acceptedSeries", series);
		}
		System.out.printf(
				"%n" + key + ": accepted %,d/s, stored %,d/s, lost %d, accept p50/p99/p99.9 %.1f/%.1f/%.1f ms, "
						+ "accept->stored p50/p99 %.1f/%.1f ms%n",
				load.get("acceptedPerSecond"), load.get("storedPerSecond"), load.get("lost"), latency[0] / 1000.0,
				latency[1] / 1000.0, latency[2] / 1000.0, ((Map<?, ?>) load.get("acceptToStoredMillis")).get("p50"),
				((Map<?, ?>) load.get("acceptToStoredMillis")).get("p99"));
		resources.forEach((name, figures) -> System.out.printf("  %-15s %s%n", name, figures));
	}

	private void measureBacklogs(TestDatabase database, String queue, List<String> sinkArguments, Path logs)
			throws Exception {
		List<Map<String, Object>> drains = new ArrayList<>();
		for (int size : this.options.backlogs()) {
			String sender = "bench-backlog-" + size;
			progress("backlog of " + size + ": publishing");
			this.broker.publishBacklog(queue, size, sender);
			progress("backlog of " + size + ": draining");
			ServiceProcess sink = ServiceProcess.start("order-sink-backlog-" + size, this.options.sinkJar(), logs,
					sinkArguments, Map.of(), this.options.heap());
			try {
				double rate = Backlog.awaitDrained(database, sender, size);
				drains.add(Map.of("backlog", size, "ordersPerSecond", Math.round(rate)));
				System.out.printf("%nbacklog %,d drained at %,.0f orders/s%n", size, rate);
			}
			finally {
				sink.stop();
			}
		}
		this.results.put("backlogDrains", drains);
	}

	private static void progress(String line) {
		System.out.print("\r\033[2K" + line);
		System.out.flush();
	}

	/**
	 * The answers of the measured phase, whichever load generator got them.
	 *
	 * @param accepted answers 2xx
	 * @param refused answers 4xx and 5xx
	 * @param failed requests without an answer
	 * @param elapsed how long the phase took
	 * @param latencyMicros accept latency p50, p99, p99.9 and maximum, in microseconds
	 */
	private record Answers(long accepted, long refused, long failed, Duration elapsed, long[] latencyMicros) {
	}

}
