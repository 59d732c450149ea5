package dev.orderpipeline.testsupport.servers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.stream.Stream;

import org.springframework.util.FileSystemUtils;

/**
 * The directory of this test JVM's own servers, under the system's temporary directory,
 * named after the JVM's process and start time. The servers stop and the directory goes
 * when the JVM exits; what a killed run left behind (directories, and any process group
 * its watchdogs did not stop) is removed by the next run before it starts its own.
 */
final class TestRun {

	private static final String PREFIX = "run-";

	private static final TestRun current = start();

	private final Path directory;

	private final Deque<Runnable> onExit = new ArrayDeque<>();

	private TestRun(Path directory) {
		this.directory = directory;
	}

	static TestRun current() {
		return current;
	}

	private static TestRun start() {
		Path base = Path.of(System.getProperty("java.io.tmpdir"),
				"order-pipeline-tests-" + System.getProperty("user.name"));
		ProcessHandle self = ProcessHandle.current();
		try {
			createTraversable(base);
			reapAbandonedRuns(base);
			Path directory = createTraversable(base.resolve(PREFIX + self.pid() + "-" + startTime(self).orElse("0")));
			TestRun run = new TestRun(directory);
			Runtime.getRuntime().addShutdownHook(new Thread(run::exit, "test-run-cleanup"));
			return run;
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not prepare the test run's directory under " + base, ex);
		}
	}

	/**
	 * The run's directory: readable and writable by this user only, traversable by the
	 * unprivileged user a server may run as.
	 * @return the directory
	 */
	Path directory() {
		return this.directory;
	}

	/**
	 * Runs an action when the JVM exits, before the directory is removed; the last
	 * registered runs first.
	 * @param action what to run
	 */
	synchronized void onExit(Runnable action) {
		this.onExit.push(action);
	}

	/**
	 * Remembers a server's process group, so that the next run can kill it should this
	 * JVM die and its watchdog not stop it.
	 * @param name the server's name
	 * @param processGroup the group's id
	 */
	void recordProcessGroup(String name, long processGroup) {
		try {
			Files.writeString(this.directory.resolve(name + ".pgid"), Long.toString(processGroup));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private synchronized void exit() {
		while (!this.onExit.isEmpty()) {
			try {
				this.onExit.pop().run();
			}
			catch (RuntimeException ex) {
				System.err.println("test-run-cleanup: " + ex.getMessage());
			}
		}
		delete(this.directory);
	}

	/**
	 * Removes the directories of runs whose JVM has gone, after killing what remains of
	 * their servers.
	 * @param base the directory of this user's runs
	 * @throws IOException if a directory cannot be read
	 */
	static void reapAbandonedRuns(Path base) throws IOException {
		try (DirectoryStream<Path> runs = Files.newDirectoryStream(base, PREFIX + "*")) {
			for (Path run : runs) {
				if (!ownerAlive(run.getFileName().toString().substring(PREFIX.length()))) {
					killProcessGroups(run);
					delete(run);
				}
			}
		}
	}

	private static boolean ownerAlive(String owner) {
		int dash = owner.indexOf('-');
		if (dash < 0) {
			return false;
		}
		try {
			long pid = Long.parseLong(owner.substring(0, dash));
			String started = owner.substring(dash + 1);
			return ProcessHandle.of(pid)
				.filter(ProcessHandle::isAlive)
				.flatMap(TestRun::startTime)
				.map(started::equals)
				.orElse(false);
		}
		catch (NumberFormatException ex) {
			return false;
		}
	}

	private static Optional<String> startTime(ProcessHandle process) {
		return process.info().startInstant().map((instant) -> Long.toString(instant.toEpochMilli()));
	}

	private static void killProcessGroups(Path run) throws IOException {
		try (Stream<Path> files = Files.list(run)) {
			for (Path file : files.filter((path) -> path.toString().endsWith(".pgid")).toList()) {
				String group = Files.readString(file, StandardCharsets.UTF_8).trim();
				try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
					processes.filter((path) -> path.getFileName().toString().chars().allMatch(Character::isDigit))
						.filter((path) -> group.equals(processGroup(path)))
						.forEach((path) -> ProcessHandle.of(Long.parseLong(path.getFileName().toString()))
							.ifPresent(ProcessHandle::destroyForcibly));
				}
			}
		}
	}

	/** The fifth field of /proc/PID/stat, after the command name in parentheses. */
	static String processGroup(Path process) {
		try {
			String stat = Files.readString(process.resolve("stat"), StandardCharsets.UTF_8);
			String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
			return fields[2];
		}
		catch (IOException | RuntimeException ex) {
			return "";
		}
	}

	private static Path createTraversable(Path directory) throws IOException {
		Files.createDirectories(directory);
		Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwx--x--x"));
		return directory;
	}

	private static void delete(Path directory) {
		try {
			FileSystemUtils.deleteRecursively(directory);
		}
		catch (IOException ex) {
			System.err.println("test-run-cleanup: could not remove " + directory + ": " + ex.getMessage());
		}
	}

}
