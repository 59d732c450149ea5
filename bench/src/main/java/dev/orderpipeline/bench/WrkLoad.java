package dev.orderpipeline.bench;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.orderpipeline.testsupport.TestTokens;

/**
 * Drives {@code POST /orders} with wrk, from the OS packages, in closed loop: a load
 * generator written in C, which leaves more of the machine's CPU to the pipeline than the
 * JVM's own. wrk has no fixed-rate mode and reports its figures only at the end: the
 * accepted orders, the latency percentiles, and (from the shell that ran it) its CPU
 * time. It stops without waiting for the answers still in flight, at most one per
 * connection: those orders may be stored without being counted as accepted.
 */
final class WrkLoad {

	private static final Pattern RESULT = Pattern.compile("wrk-result (\\d+) (\\d+) (\\d+) (\\d+) (\\d+) (\\d+)");

	private static final Pattern LATENCY = Pattern.compile("wrk-latency (\\d+) (\\d+) (\\d+) (\\d+)");

	// The second line of bash's "times": the user and system time of its children.
	private static final Pattern CHILDREN_TIMES = Pattern.compile("(?m)^(\\d+)m([\\d.]+)s (\\d+)m([\\d.]+)s\\s*\\z");

	private final URI baseUri;

	private final int connections;

	private final Path workDirectory;

	WrkLoad(URI baseUri, int connections, Path workDirectory) {
		this.baseUri = baseUri;
		this.connections = connections;
		this.workDirectory = workDirectory;
	}

	/**
	 * Whether wrk can be run here.
	 * @return {@code true} when a {@code wrk} executable is on the path
	 */
	static boolean available() {
		String path = System.getenv("PATH");
		if (path == null) {
			return false;
		}
		for (String directory : path.split(":")) {
			if (!directory.isEmpty() && Files.isExecutable(Path.of(directory, "wrk"))) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Places orders for a while, in closed loop on every connection.
	 * @param duration how long
	 * @param sender the sender of every order (tags the phase)
	 * @param started told wrk's process once it runs, so its memory can be sampled
	 * @return wrk's figures
	 */
	Result run(Duration duration, String sender, Consumer<ProcessHandle> started)
			throws IOException, InterruptedException {
		Path script = this.workDirectory.resolve("wrk-" + sender + ".lua");
		Files.writeString(script, script(sender), StandardCharsets.UTF_8);
		List<String> command = new ArrayList<>(
				List.of("bash", "-c", "wrk \"$@\"; status=$?; times; exit $status", "wrk", "--threads=1",
						"--connections=" + this.connections, "--duration=" + Math.max(1, duration.toSeconds()) + "s",
						"--timeout=30s", "--script=" + script, this.baseUri.resolve("/orders").toString()));
		ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
		// bash's "times" writes decimal commas under some locales.
		builder.environment().put("LC_ALL", "C");
		Process process = builder.start();
		try {
			started.accept(process.toHandle());
			String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			if (process.waitFor() != 0) {
				throw new IllegalStateException("wrk failed:\n" + output);
			}
			return Result.parse(output);
		}
		finally {
			process.descendants().forEach(ProcessHandle::destroyForcibly);
			process.destroyForcibly();
		}
	}

	private static String script(String sender) {
		String body = "{\"medicationId\": \"med-bench\", \"sender_userId\": \"" + sender + "\"}";
		String token = TestTokens.shared().token(sender, "orders:write");
		return """
				wrk.method = "POST"
				wrk.body = '%s'
				wrk.headers["Content-Type"] = "application/json"
				wrk.headers["Authorization"] = "Bearer %s"
				function done(summary, latency, requests)
				  io.write(string.format("wrk-result %%d %%d %%d %%d %%d %%d\\n", summary.requests,
				    summary.errors.status, summary.errors.connect, summary.errors.read, summary.errors.write,
				    summary.errors.timeout))
				  io.write(string.format("wrk-latency %%d %%d %%d %%d\\n", latency:percentile(50),
				    latency:percentile(99), latency:percentile(99.9), latency.max))
				end
				""".formatted(body, token);
	}

	/**
	 * What wrk measured.
	 *
	 * @param responses answers received
	 * @param refused answers with a status of 400 or more
	 * @param failed connect, read and write errors and timeouts
	 * @param latencyMicros p50, p99, p99.9 and the maximum, in microseconds
	 * @param cpuMicros wrk's CPU time, user and system
	 */
	record Result(long responses, long refused, long failed, long[] latencyMicros, long cpuMicros) {

		long accepted() {
			return this.responses - this.refused;
		}

		static Result parse(String output) {
			Matcher result = RESULT.matcher(output);
			Matcher latency = LATENCY.matcher(output);
			Matcher times = CHILDREN_TIMES.matcher(output);
			if (!result.find() || !latency.find() || !times.find()) {
				throw new IllegalStateException("Unexpected wrk output:\n" + output);
			}
			long failed = 0;
			for (int group = 3; group <= 6; group++) {
				failed += Long.parseLong(result.group(group));
			}
			long[] percentiles = new long[4];
			for (int i = 0; i < percentiles.length; i++) {
				percentiles[i] = Long.parseLong(latency.group(i + 1));
			}
			double seconds = Long.parseLong(times.group(1)) * 60 + Double.parseDouble(times.group(2))
					+ Long.parseLong(times.group(3)) * 60 + Double.parseDouble(times.group(4));
			return new Result(Long.parseLong(result.group(1)), Long.parseLong(result.group(2)), failed, percentiles,
					Math.round(seconds * 1_000_000));
		}

	}

}
