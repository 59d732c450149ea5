package dev.orderpipeline.testsupport.servers;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * A single-node Apache Kafka broker (KRaft: broker and controller in one process) of the
 * test run's own, run from Maven Central's artifacts (the module {@code kafka-broker}
 * holds its class path) as a process of its own, on free ports of 127.0.0.1 with its data
 * in the run's directory. Tests that make a broker outage stop and start this broker.
 */
public final class TestKafka {

	private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

	private static final String CLASS_PATH = "/dev/orderpipeline/kafkabroker/classpath.txt";

	private final TestRun run;

	private final int port = FreePorts.next();

	private final Path directory;

	private final List<String> command;

	private volatile OwnedProcess server;

	private TestKafka(TestRun run) {
		this.run = run;
		this.directory = run.directory().resolve("kafka");
		int controllerPort = FreePorts.next();
		String classPath = classPath();
		String java = ProcessHandle.current().info().command().orElse("java");
		Path properties = this.directory.resolve("server.properties");
		Path logging = this.directory.resolve("logback.xml");
		try {
			Files.createDirectories(this.directory);
			Files.writeString(properties,
					String.join("\n", "process.roles=broker,controller", "node.id=1",
							"controller.quorum.bootstrap.servers=127.0.0.1:" + controllerPort,
							"listeners=PLAINTEXT://127.0.0.1:" + this.port + ",CONTROLLER://127.0.0.1:"
									+ controllerPort,
							"advertised.listeners=PLAINTEXT://127.0.0.1:" + this.port,
							"controller.listener.names=CONTROLLER", "inter.broker.listener.name=PLAINTEXT",
							"listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
							"log.dirs=" + this.directory.resolve("data"), "num.partitions=1",
							"offsets.topic.replication.factor=1", "transaction.state.log.replication.factor=1",
							"transaction.state.log.min.isr=1", "share.coordinator.state.topic.replication.factor=1",
							"share.coordinator.state.topic.min.isr=1", "group.initial.rebalance.delay.ms=0", ""));
			Files.writeString(logging, """
					<configuration>
					  <appender name="out" class="ch.qos.logback.core.ConsoleAppender">
					    <encoder><pattern>%d{HH:mm:ss.SSS} %-5level %logger{36} - %msg%n</pattern></encoder>
					  </appender>
					  <root level="WARN"><appender-ref ref="out"/></root>
					  <logger name="kafka.server.KafkaRaftServer" level="INFO"/>
					</configuration>
					""");
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not configure the test run's Kafka broker", ex);
		}
		List<String> jvm = List.of(java, "-Xmx256m", "-XX:+UseSerialGC", "-Dlogback.configurationFile=" + logging,
				"-cp", classPath);
		format(jvm, properties);
		this.command = concat(jvm, List.of("kafka.Kafka", properties.toString()));
		start();
		run.onExit(this::stop);
	}

	/**
	 * The broker of this JVM's tests, started on first use, stopped and removed when the
	 * JVM exits.
	 * @return the running broker
	 */
	public static TestKafka shared() {
		return Shared.instance;
	}

	/**
	 * The broker's address.
	 * @return {@code 127.0.0.1:port}
	 */
	public String bootstrapServers() {
		return "127.0.0.1:" + this.port;
	}

	/**
	 * Points a Spring application in this JVM at the broker.
	 * @param registry the test's properties
	 */
	public void register(DynamicPropertyRegistry registry) {
		registry.add("spring.kafka.bootstrap-servers", this::bootstrapServers);
		registry.add("spring.cloud.stream.kafka.binder.brokers", this::bootstrapServers);
	}

	/**
	 * Points a service process at the broker.
	 * @return the command-line arguments
	 */
	public List<String> arguments() {
		return List.of("--spring.kafka.bootstrap-servers=" + bootstrapServers(),
				"--spring.cloud.stream.kafka.binder.brokers=" + bootstrapServers());
	}

	/**
	 * Admin client properties for the broker.
	 * @return the properties
	 */
	public Map<String, Object> clientProperties() {
		return Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
	}

	/**
	 * Stops the broker, as a broker outage would: its port refuses connections until
	 * {@link #start()}. Its data stays.
	 */
	public synchronized void stop() {
		OwnedProcess running = this.server;
		if (running != null) {
			running.stop();
			this.server = null;
		}
	}

	/**
	 * Kills the broker ({@code SIGKILL}), as a crash would: its port refuses connections
	 * until {@link #start()}. What it acknowledged is in the page cache and stays.
	 */
	public synchronized void kill() {
		OwnedProcess running = this.server;
		if (running != null) {
			running.kill();
			this.server = null;
		}
	}

	/**
	 * Starts the broker (again, on its data) and waits until it answers.
	 */
	public synchronized void start() {
		if (this.server != null) {
			return;
		}
		this.server = OwnedProcess.start("kafka", this.run, "TERM", this.command, Map.of());
		this.server.await("answering on " + bootstrapServers(), START_TIMEOUT, this::answering);
	}

	/**
	 * The broker's process group, for measuring its CPU and memory.
	 * @return the process group id
	 */
	public long processGroup() {
		OwnedProcess running = this.server;
		if (running == null) {
			throw new IllegalStateException("The test run's Kafka broker is stopped");
		}
		return running.processGroup();
	}

	/**
	 * Whether the broker answers a client.
	 * @return {@code true} when it describes its cluster
	 */
	public boolean answering() {
		// A closed port first, so that a client does not log its retries meanwhile.
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("127.0.0.1", this.port), 1000);
		}
		catch (IOException ex) {
			return false;
		}
		Properties properties = new Properties();
		properties.putAll(clientProperties());
		properties.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000);
		properties.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2000);
		try (Admin admin = Admin.create(properties)) {
			return !admin.describeCluster().nodes().get(3, TimeUnit.SECONDS).isEmpty();
		}
		catch (Exception ex) {
			if (ex instanceof InterruptedException) {
				Thread.currentThread().interrupt();
			}
			return false;
		}
	}

	private void format(List<String> jvm, Path properties) {
		List<String> format = concat(jvm, List.of("kafka.tools.StorageTool", "format", "--standalone", "-t",
				Uuid.randomUuid().toString(), "-c", properties.toString()));
		OwnedProcess.run("Formatting the Kafka broker's storage", format, Map.of(), Duration.ofSeconds(120));
	}

	private static String classPath() {
		try (InputStream in = TestKafka.class.getResourceAsStream(CLASS_PATH)) {
			if (in == null) {
				throw new IllegalStateException("No " + CLASS_PATH + " on the class path: build the module "
						+ "kafka-broker (./mvnw install -pl kafka-broker)");
			}
			return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static List<String> concat(List<String> first, List<String> second) {
		return Stream.concat(first.stream(), second.stream()).toList();
	}

	private static final class Shared {

		private static final TestKafka instance = new TestKafka(TestRun.current());

	}

}
