package dev.orderpipeline.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.orderpipeline.testsupport.servers.DiesWithThisJvm;
import dev.orderpipeline.testsupport.servers.FreePorts;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A service's packaged jar run as a separate process with an explicit heap, its output in
 * a log file, started when its readiness group reports UP.
 */
public final class ServiceProcess implements AutoCloseable {

	private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

	private final String name;

	private final Process process;

	private final Path log;

	private final int port;

	private final int managementPort;

	private final List<String> command;

	private final Map<String, String> environment;

	private ServiceProcess(String name, Process process, Path log, int port, int managementPort, List<String> command,
			Map<String, String> environment) {
		this.command = command;
		this.environment = Map.copyOf(environment);
		this.name = name;
		this.process = process;
		this.log = log;
		this.port = port;
		this.managementPort = managementPort;
	}

	/**
	 * Starts a service and waits until it is ready.
	 * @param name a name for the log file
	 * @param jar the packaged service
	 * @param logDirectory where the log goes
	 * @param arguments Spring properties as {@code --name=value}
	 * @return the ready service
	 * @throws IOException if the process cannot be started
	 */
	public static ServiceProcess start(String name, Path jar, Path logDirectory, List<String> arguments)
			throws IOException {
		return start(name, jar, logDirectory, arguments, Map.of());
	}

	/**
	 * Starts a service with environment variables of its own and waits until it is ready.
	 * @param name a name for the log file
	 * @param jar the packaged service
	 * @param logDirectory where the log goes
	 * @param arguments Spring properties as {@code --name=value}
	 * @param environment variables added to this process's environment
	 * @return the ready service
	 * @throws IOException if the process cannot be started
	 */
	public static ServiceProcess start(String name, Path jar, Path logDirectory, List<String> arguments,
			Map<String, String> environment) throws IOException {
		return start(name, jar, logDirectory, arguments, environment, "128m");
	}

	/**
	 * Starts a service with its own environment and heap, and waits until it is ready.
	 * @param name a name for the log file
	 * @param jar the packaged service
	 * @param logDirectory where the log goes
	 * @param arguments Spring properties as {@code --name=value}
	 * @param environment variables added to this process's environment
	 * @param heap the maximum heap ({@code -Xmx})
	 * @return the ready service
	 * @throws IOException if the process cannot be started
	 */
	public static ServiceProcess start(String name, Path jar, Path logDirectory, List<String> arguments,
			Map<String, String> environment, String heap) throws IOException {
		return start(name, List.of("-jar", jar.toString()), logDirectory, arguments, environment, heap);
	}

	/**
	 * Starts a program from a class path, with the JVM settings of the services, and
	 * waits until it answers at {@code /actuator/health/readiness} on the port it is
	 * given as {@code --management.server.port}.
	 * @param name a name for the log file
	 * @param classPath the program's class path
	 * @param mainClass its main class
	 * @param logDirectory where the log goes
	 * @param arguments its arguments, after {@code --server.port} and
	 * {@code --management.server.port}
	 * @param heap the maximum heap ({@code -Xmx})
	 * @return the ready program
	 * @throws IOException if the process cannot be started
	 */
	public static ServiceProcess startMain(String name, String classPath, String mainClass, Path logDirectory,
			List<String> arguments, String heap) throws IOException {
		return start(name, List.of("-cp", classPath, mainClass), logDirectory, arguments, Map.of(), heap);
	}

	private static ServiceProcess start(String name, List<String> program, Path logDirectory, List<String> arguments,
			Map<String, String> environment, String heap) throws IOException {
		int port = FreePorts.next();
		int managementPort = FreePorts.next();
		// The JVM settings bin/run and the charts use.
		List<String> command = new ArrayList<>(
				List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx" + heap,
						"-XX:+UseSerialGC", "-XX:MaxMetaspaceSize=128m", "-Xss512k", "-XX:ReservedCodeCacheSize=64m",
						"-XX:TrimNativeHeapInterval=5000"));
		command.addAll(program);
		command.addAll(List.of("--server.port=" + port, "--management.server.port=" + managementPort));
		// Every service started here trusts the test key; the tests and the benchmark
		// hold tokens.
		command.addAll(TestTokens.shared().arguments());
		command.addAll(arguments);
		Files.createDirectories(logDirectory);
		Path log = logDirectory.resolve(name + ".log");
		// Should the test JVM be killed, its services die with it.
		command = DiesWithThisJvm.command(command);
		ProcessBuilder builder = new ProcessBuilder(command);
		// Two malloc arenas instead of one per thread, as bin/run and the charts set.
		builder.environment().put("MALLOC_ARENA_MAX", "2");
		builder.environment().putAll(environment);
		Process process = builder.redirectErrorStream(true)
			.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
			.start();
		ServiceProcess service = new ServiceProcess(name, process, log, port, managementPort, command, environment);
		Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
		service.awaitReady(Duration.ofSeconds(90));
		return service;
	}

	/**
	 * The base URL of the service's API.
	 * @return {@code http://127.0.0.1:port}
	 */
	public URI baseUri() {
		return URI.create("http://127.0.0.1:" + this.port);
	}

	/**
	 * The base URL of the service's actuator endpoints.
	 * @return {@code http://127.0.0.1:managementPort/actuator}
	 */
	public URI actuatorUri() {
		return URI.create("http://127.0.0.1:" + this.managementPort + "/actuator");
	}

	/**
	 * Starts the same service again, with the same ports and settings, after it stopped.
	 * @return the ready service
	 * @throws IOException if the process cannot be started
	 */
	public ServiceProcess restart() throws IOException {
		ProcessBuilder builder = new ProcessBuilder(this.command);
		builder.environment().putAll(this.environment);
		Process process = builder.redirectErrorStream(true)
			.redirectOutput(ProcessBuilder.Redirect.appendTo(this.log.toFile()))
			.start();
		ServiceProcess service = new ServiceProcess(this.name, process, this.log, this.port, this.managementPort,
				this.command, this.environment);
		Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
		service.awaitReady(Duration.ofSeconds(90));
		return service;
	}

	/**
	 * The operating system's id of the process.
	 * @return the pid
	 */
	public long pid() {
		return this.process.pid();
	}

	/**
	 * Kills the process at once (SIGKILL), as a crash would.
	 */
	public void kill() {
		this.process.destroyForcibly();
		try {
			this.process.waitFor(10, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * The service's HTTP port.
	 * @return the port
	 */
	public int port() {
		return this.port;
	}

	/**
	 * Whether the readiness group reports UP.
	 * @return {@code true} when ready
	 */
	public boolean isReady() {
		try {
			HttpResponse<Void> response = http.send(HttpRequest
				.newBuilder(URI.create("http://127.0.0.1:" + this.managementPort + "/actuator/health/readiness"))
				.timeout(Duration.ofSeconds(2))
				.build(), HttpResponse.BodyHandlers.discarding());
			return response.statusCode() == 200;
		}
		catch (IOException ex) {
			return false;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

	/**
	 * Stops the service with SIGTERM, as an orchestrator does, and waits for it to exit.
	 */
	public void stop() {
		this.process.destroy();
		try {
			if (!this.process.waitFor(30, TimeUnit.SECONDS)) {
				this.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			this.process.destroyForcibly();
		}
	}

	@Override
	public void close() {
		stop();
	}

	private void awaitReady(Duration timeout) {
		try {
			Awaitility.await(this.name + " ready").atMost(timeout).pollInterval(Duration.ofMillis(250)).until(() -> {
				if (!this.process.isAlive()) {
					throw new IllegalStateException(
							this.name + " exited with " + this.process.exitValue() + ":\n" + tail());
				}
				return isReady();
			});
		}
		catch (ConditionTimeoutException ex) {
			this.process.destroyForcibly();
			throw new IllegalStateException(this.name + " was not ready within " + timeout + ":\n" + tail(), ex);
		}
	}

	private String tail() {
		try {
			List<String> lines = Files.readAllLines(this.log);
			return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
