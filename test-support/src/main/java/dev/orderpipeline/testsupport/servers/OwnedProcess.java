package dev.orderpipeline.testsupport.servers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.TerminalFailureException;

/**
 * A server process this JVM owns. It runs in a process group of its own under a small
 * shell watchdog that holds the read end of a pipe from this JVM: when the JVM closes the
 * pipe, or dies in any way (a killed build included), the watchdog sends the server its
 * stop signal and, at the latest 20 s later, kills the whole group. So nothing a test run
 * started outlives it for long, and the machine's own servers are never touched.
 */
final class OwnedProcess {

	private static final String WATCHDOG = """
			stop=$1; shift
			"$@" </dev/null &
			child=$!
			read -r _
			kill -s "$stop" "$child" 2>/dev/null
			( sleep 20; kill -KILL 0 ) &
			wait "$child"
			kill -KILL 0
			""";

	private final String name;

	private final Process watchdog;

	private final Path log;

	private OwnedProcess(String name, Process watchdog, Path log) {
		this.name = name;
		this.watchdog = watchdog;
		this.log = log;
	}

	/**
	 * Starts a server.
	 * @param name what it is, for messages and its log file's name
	 * @param run the test run it belongs to
	 * @param stopSignal the signal that stops it gracefully ({@code TERM}, {@code INT})
	 * @param command the server's command
	 * @param environment variables added to this JVM's environment
	 * @return the started process, not necessarily ready
	 */
	static OwnedProcess start(String name, TestRun run, String stopSignal, List<String> command,
			Map<String, String> environment) {
		Path log = run.directory().resolve(name + ".log");
		List<String> watched = new ArrayList<>(List.of("setsid", "sh", "-c", WATCHDOG, "watchdog", stopSignal));
		watched.addAll(command);
		ProcessBuilder builder = new ProcessBuilder(watched).redirectErrorStream(true)
			.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
		builder.environment().putAll(environment);
		try {
			Process watchdog = builder.start();
			OwnedProcess process = new OwnedProcess(name, watchdog, log);
			run.recordProcessGroup(name, process.processGroup());
			return process;
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not start " + name + ": " + String.join(" ", command), ex);
		}
	}

	/**
	 * Runs a command to its end, such as a server's administration tool.
	 * @param what the command, for messages
	 * @param command the command
	 * @param environment variables added to this JVM's environment
	 * @param timeout how long it may take
	 * @return its output
	 * @throws IllegalStateException with its output, if it fails or takes too long
	 */
	static String run(String what, List<String> command, Map<String, String> environment, Duration timeout) {
		ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
		builder.environment().putAll(environment);
		try {
			Process process = builder.start();
			String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) || process.exitValue() != 0) {
				process.destroyForcibly();
				throw new IllegalStateException(what + " failed:\n" + output);
			}
			return output;
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not run " + what, ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * Whether the watchdog still runs; it runs until its server's group has stopped.
	 * @return {@code true} while running
	 */
	boolean isAlive() {
		return this.watchdog.isAlive();
	}

	/**
	 * The id of the server's process group: the watchdog's pid, since {@code setsid} made
	 * it the group's leader.
	 * @return the process group id
	 */
	long processGroup() {
		return this.watchdog.pid();
	}

	/**
	 * Stops the server gracefully and waits until its whole group has gone.
	 */
	void stop() {
		try {
			this.watchdog.getOutputStream().close();
			if (!this.watchdog.waitFor(30, TimeUnit.SECONDS)) {
				this.watchdog.descendants().forEach(ProcessHandle::destroyForcibly);
				this.watchdog.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not stop " + this.name, ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * Kills the server at once ({@code SIGKILL}), as a crash would, and waits until its
	 * whole group has gone.
	 */
	void kill() {
		this.watchdog.descendants().forEach(ProcessHandle::destroyForcibly);
		// The watchdog then finds its server gone and ends the group.
		stop();
	}

	/**
	 * An error naming the server and showing the end of its log.
	 * @param problem what went wrong
	 * @return the exception to throw
	 */
	IllegalStateException failure(String problem) {
		return new IllegalStateException(this.name + " " + problem + "; the end of " + this.log + ":\n" + tail());
	}

	/**
	 * Waits for a condition, failing with the log's end when the server stops or the time
	 * is up.
	 * @param what what is awaited, for the message
	 * @param timeout how long to wait
	 * @param condition the condition
	 */
	void await(String what, Duration timeout, Callable<Boolean> condition) {
		try {
			Awaitility.await(this.name + ": " + what)
				.atMost(timeout)
				.pollInterval(Duration.ofMillis(100))
				.failFast(this.name + " stopped", () -> !isAlive())
				.until(condition);
		}
		catch (TerminalFailureException ex) {
			throw failure("stopped before " + what);
		}
		catch (ConditionTimeoutException ex) {
			throw failure("did not reach " + what + " within " + timeout.toSeconds() + " s");
		}
	}

	private String tail() {
		try {
			List<String> lines = Files.readAllLines(this.log, StandardCharsets.UTF_8);
			return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
		}
		catch (IOException | UncheckedIOException ex) {
			return "(unreadable: " + ex.getMessage() + ")";
		}
	}

}
