package dev.orderpipeline.pipeline.drills;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import org.awaitility.Awaitility;

/**
 * Stops and starts this machine's RabbitMQ and PostgreSQL for the drills, the way an
 * outage would, and always brings them back.
 */
final class MachineServices {

	private MachineServices() {
	}

	static void stopRabbitMq() {
		run("rabbitmqctl", "stop_app");
		awaitPort(5672, false);
	}

	static void startRabbitMq() {
		run("rabbitmqctl", "start_app");
		awaitPort(5672, true);
	}

	static void stopPostgresql() {
		run("pg_ctlcluster", "--skip-systemctl-redirect", postgresqlVersion(), "main", "stop", "-m", "fast");
		awaitPort(5432, false);
	}

	static void startPostgresql() {
		run("pg_ctlcluster", "--skip-systemctl-redirect", postgresqlVersion(), "main", "start");
		awaitPort(5432, true);
	}

	/** Brings both back if a drill failed half-way; a no-op when they run. */
	static void restore() {
		if (!open(5672)) {
			startRabbitMq();
		}
		if (!open(5432)) {
			startPostgresql();
		}
	}

	private static String postgresqlVersion() {
		try (Stream<Path> versions = Files.list(Path.of("/etc/postgresql"))) {
			return versions.map((path) -> path.getFileName().toString())
				.max((a, b) -> Integer.compare(Integer.parseInt(a), Integer.parseInt(b)))
				.orElseThrow();
		}
		catch (IOException ex) {
			throw new IllegalStateException("No PostgreSQL cluster under /etc/postgresql", ex);
		}
	}

	private static void run(String... command) {
		try {
			ProcessBuilder builder = new ProcessBuilder(List.of(command)).redirectErrorStream(true);
			builder.environment().merge("PATH", "/usr/sbin:/sbin", (path, system) -> path + ":" + system);
			Process process = builder.start();
			String output = new String(process.getInputStream().readAllBytes());
			if (process.waitFor() != 0) {
				throw new IllegalStateException(String.join(" ", command) + " failed:\n" + output);
			}
		}
		catch (IOException ex) {
			throw new IllegalStateException("Could not run " + String.join(" ", command), ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	private static void awaitPort(int port, boolean open) {
		Awaitility.await("port " + port + (open ? " open" : " closed"))
			.atMost(Duration.ofSeconds(90))
			.pollInterval(Duration.ofMillis(250))
			.until(() -> open(port) == open);
	}

	private static boolean open(int port) {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

}
