package dev.orderpipeline.testsupport.servers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * A PostgreSQL cluster of the test run's own: created with {@code initdb} in the run's
 * directory, password authentication on every connection, listening on a free port of
 * 127.0.0.1 only, its socket in the run's directory. PostgreSQL refuses to run as root,
 * so a run as root runs the cluster as the {@code postgres} user. Tests that make a
 * database outage stop and start this cluster, never the machine's.
 */
public final class TestPostgresql {

	private static final String SUPERUSER = "postgres";

	private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

	private final TestRun run;

	private final Path binaries;

	private final Path directory;

	private final List<String> runAs;

	private final String password = UUID.randomUUID().toString();

	private final int port = FreePorts.next();

	private OwnedProcess server;

	private TestPostgresql(TestRun run) {
		this.run = run;
		this.binaries = binaries();
		this.directory = run.directory().resolve("postgresql");
		this.runAs = "root".equals(System.getProperty("user.name"))
				? List.of("setpriv", "--reuid=" + SUPERUSER, "--regid=" + SUPERUSER, "--init-groups", "--") : List.of();
	}

	/**
	 * The cluster of this JVM's tests, created and started on first use, removed when the
	 * JVM exits.
	 * @return the running cluster
	 */
	public static TestPostgresql shared() {
		return Shared.instance;
	}

	/**
	 * Where a client connects.
	 * @return {@code 127.0.0.1:port}
	 */
	public String server() {
		return "127.0.0.1:" + this.port;
	}

	public int port() {
		return this.port;
	}

	/**
	 * The superuser tests connect as.
	 * @return the user name
	 */
	public String user() {
		return SUPERUSER;
	}

	public String password() {
		return this.password;
	}

	/**
	 * The process group of the running cluster, for measuring its CPU and memory.
	 * @return the process group id
	 */
	public synchronized long processGroup() {
		if (this.server == null) {
			throw new IllegalStateException("The test run's PostgreSQL is stopped");
		}
		return this.server.processGroup();
	}

	/**
	 * Stops the cluster (a fast shutdown: open connections are closed), as an outage
	 * would.
	 */
	public synchronized void stop() {
		if (this.server != null) {
			this.server.stop();
			this.server = null;
		}
	}

	/**
	 * Starts the cluster again on the same port and data, and waits until it answers.
	 */
	public synchronized void start() {
		if (this.server != null && this.server.isAlive()) {
			return;
		}
		List<String> command = new ArrayList<>(this.runAs);
		command.addAll(List.of(this.binaries.resolve("postgres").toString(), "-D", data().toString(), "-p",
				Integer.toString(this.port), "-k", this.directory.toString(), "-c", "listen_addresses=127.0.0.1"));
		this.server = OwnedProcess.start("postgresql", this.run, "INT", command, Map.of());
		this.server.await("accepting connections", START_TIMEOUT, this::accepting);
	}

	private void create() {
		try {
			Files.createDirectories(this.directory);
			Path passwordFile = this.directory.resolve("password");
			Files.writeString(passwordFile, this.password);
			if (!this.runAs.isEmpty()) {
				giveTo(SUPERUSER, this.directory, passwordFile);
			}
			List<String> command = new ArrayList<>(this.runAs);
			command.addAll(List.of(this.binaries.resolve("initdb").toString(), "-D", data().toString(), "-U", SUPERUSER,
					"--auth=scram-sha-256", "--pwfile=" + passwordFile, "-E", "UTF8", "--no-locale", "--no-sync"));
			Path log = this.directory.resolve("initdb.log");
			Process initdb = new ProcessBuilder(command).redirectErrorStream(true)
				.redirectOutput(log.toFile())
				.directory(this.directory.toFile())
				.start();
			if (initdb.waitFor() != 0) {
				throw new IllegalStateException("initdb failed:\n" + Files.readString(log));
			}
			Files.delete(passwordFile);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not create the test run's PostgreSQL cluster", ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	private boolean accepting() {
		try (Connection connection = DriverManager.getConnection("jdbc:postgresql://" + server() + "/postgres",
				SUPERUSER, this.password)) {
			return connection.isValid(2);
		}
		catch (SQLException ex) {
			return false;
		}
	}

	private Path data() {
		return this.directory.resolve("data");
	}

	private static void giveTo(String user, Path... paths) throws IOException {
		UserPrincipalLookupService users = paths[0].getFileSystem().getUserPrincipalLookupService();
		GroupPrincipal group = users.lookupPrincipalByGroupName(user);
		for (Path path : paths) {
			PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class);
			view.setOwner(users.lookupPrincipalByName(user));
			view.setGroup(group);
		}
		Files.setPosixFilePermissions(paths[0], PosixFilePermissions.fromString("rwx------"));
	}

	/** The newest server under Debian's /usr/lib/postgresql/VERSION/bin. */
	private static Path binaries() {
		Path debian = Path.of("/usr/lib/postgresql");
		try (Stream<Path> versions = Files.isDirectory(debian) ? Files.list(debian) : Stream.empty()) {
			return versions.map((version) -> version.resolve("bin"))
				.filter((bin) -> Files.isExecutable(bin.resolve("postgres"))
						&& Files.isExecutable(bin.resolve("initdb")))
				.max((a, b) -> Integer.compare(major(a), major(b)))
				.orElseThrow(() -> new IllegalStateException(
						"PostgreSQL's server is not installed (no /usr/lib/postgresql/<version>/bin/postgres): "
								+ "bin/test installs it, or run: sudo apt-get install postgresql"));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static int major(Path bin) {
		try {
			return Integer.parseInt(bin.getParent().getFileName().toString());
		}
		catch (NumberFormatException ex) {
			return -1;
		}
	}

	private static final class Shared {

		private static final TestPostgresql instance = createAndStart();

		private static TestPostgresql createAndStart() {
			TestRun run = TestRun.current();
			TestPostgresql postgresql = new TestPostgresql(run);
			run.onExit(postgresql::stop);
			postgresql.create();
			postgresql.start();
			return postgresql;
		}

	}

}
