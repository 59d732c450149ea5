package dev.orderpipeline.testsupport.servers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;

import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * A RabbitMQ node of the test run's own, isolated from the machine's: its own node name,
 * AMQP, distribution and epmd ports on 127.0.0.1, data, logs, configuration, plugins file
 * and Erlang cookie, all in the run's directory, and a user with a generated password.
 * Debian's {@code /usr/sbin} wrappers only run as the {@code rabbitmq} user, so the
 * scripts under {@code /usr/lib/rabbitmq/bin} are called directly. Tests that make a
 * broker outage stop and start this node's application, never the machine's broker.
 */
public final class TestRabbitMq {

	private static final Path SCRIPTS = Path.of("/usr/lib/rabbitmq/bin");

	private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

	private static final String USER = "orders-test";

	private final String password = UUID.randomUUID().toString();

	private final int port = FreePorts.next();

	private final String node = "orders-test-" + ProcessHandle.current().pid() + "@localhost";

	private final Map<String, String> environment;

	/**
	 * The node's largest message, as the README tells operators to set it: larger
	 * publishes are refused by the broker.
	 */
	public static final int MAX_MESSAGE_SIZE = 128 * 1024;

	private final OwnedProcess server;

	private TestRabbitMq(TestRun run) {
		Path directory = run.directory().resolve("rabbitmq");
		int epmdPort = FreePorts.next();
		try {
			Files.createDirectories(directory.resolve("home"));
			Files.writeString(directory.resolve("rabbitmq.conf"),
					String.join("\n", "listeners.tcp.1 = 127.0.0.1:" + this.port, "default_user = " + USER,
							"default_pass = " + this.password, "default_permissions.configure = .*",
							"default_permissions.read = .*", "default_permissions.write = .*",
							"max_message_size = " + MAX_MESSAGE_SIZE, ""));
			Files.writeString(directory.resolve("rabbitmq-env.conf"), "");
			Files.writeString(directory.resolve("enabled_plugins"), "[].\n");
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not configure the test run's RabbitMQ node", ex);
		}
		Map<String, String> environment = new HashMap<>();
		environment.put("HOME", directory.resolve("home").toString());
		environment.put("ERL_EPMD_PORT", Integer.toString(epmdPort));
		environment.put("RABBITMQ_NODENAME", this.node);
		environment.put("RABBITMQ_NODE_IP_ADDRESS", "127.0.0.1");
		environment.put("RABBITMQ_NODE_PORT", Integer.toString(this.port));
		environment.put("RABBITMQ_DIST_PORT", Integer.toString(FreePorts.next()));
		environment.put("RABBITMQ_MNESIA_BASE", directory.resolve("data").toString());
		environment.put("RABBITMQ_LOG_BASE", directory.resolve("log").toString());
		environment.put("RABBITMQ_CONFIG_FILE", directory.resolve("rabbitmq.conf").toString());
		environment.put("RABBITMQ_ADVANCED_CONFIG_FILE", directory.resolve("advanced.config").toString());
		environment.put("RABBITMQ_CONF_ENV_FILE", directory.resolve("rabbitmq-env.conf").toString());
		environment.put("RABBITMQ_ENABLED_PLUGINS_FILE", directory.resolve("enabled_plugins").toString());
		environment.put("RABBITMQ_PID_FILE", directory.resolve("node.pid").toString());
		this.environment = Map.copyOf(environment);
		// An epmd of the node's own, in the node's process group: the node would
		// otherwise
		// start a daemon that outlives it, and the machine's epmd (4369) is left alone.
		String epmd = "epmd -port " + epmdPort;
		this.server = OwnedProcess.start("rabbitmq", run, "TERM",
				List.of("sh", "-c",
						epmd + " -address 127.0.0.1 & until " + epmd
								+ " -names >/dev/null 2>&1; do sleep 0.1; done; exec " + script("rabbitmq-server")),
				this.environment);
		run.onExit(this.server::stop);
		awaitAmqp(true);
	}

	/**
	 * The node of this JVM's tests, started on first use, stopped and removed when the
	 * JVM exits.
	 * @return the running node
	 */
	public static TestRabbitMq shared() {
		return Shared.instance;
	}

	public String host() {
		return "127.0.0.1";
	}

	public int port() {
		return this.port;
	}

	public String username() {
		return USER;
	}

	public String password() {
		return this.password;
	}

	/**
	 * The node's address with credentials, for tools that take a URI.
	 * @return {@code amqp://user:password@127.0.0.1:port}
	 */
	public String uri() {
		return "amqp://" + USER + ":" + this.password + "@" + host() + ":" + this.port;
	}

	/**
	 * Points a Spring application in this JVM at the node.
	 * @param registry the test's properties
	 */
	public void register(DynamicPropertyRegistry registry) {
		registry.add("spring.rabbitmq.host", this::host);
		registry.add("spring.rabbitmq.port", this::port);
		registry.add("spring.rabbitmq.username", this::username);
		registry.add("spring.rabbitmq.password", this::password);
	}

	/**
	 * Points a service process at the node.
	 * @return the command-line arguments
	 */
	public List<String> arguments() {
		return List.of("--spring.rabbitmq.host=" + host(), "--spring.rabbitmq.port=" + this.port,
				"--spring.rabbitmq.username=" + USER, "--spring.rabbitmq.password=" + this.password);
	}

	/**
	 * A Spring AMQP connection factory on the node; the caller destroys it.
	 * @return the connection factory
	 */
	public CachingConnectionFactory connectionFactory() {
		CachingConnectionFactory factory = new CachingConnectionFactory(host(), this.port);
		factory.setUsername(USER);
		factory.setPassword(this.password);
		return factory;
	}

	/**
	 * A RabbitMQ client connection factory on the node.
	 * @return the connection factory
	 */
	public ConnectionFactory clientConnectionFactory() {
		ConnectionFactory factory = new ConnectionFactory();
		factory.setHost(host());
		factory.setPort(this.port);
		factory.setUsername(USER);
		factory.setPassword(this.password);
		return factory;
	}

	/**
	 * Stops the broker application (the node stays up), as a broker outage would: open
	 * connections are closed and the AMQP port refuses new ones.
	 */
	public void stopApplication() {
		rabbitmqctl("stop_app");
		awaitAmqp(false);
	}

	/**
	 * Starts the broker application again and waits until it accepts connections.
	 */
	public void startApplication() {
		rabbitmqctl("start_app");
		awaitAmqp(true);
	}

	/**
	 * Sets a policy on the node, as an operator would with
	 * {@code rabbitmqctl set_policy}.
	 * @param name the policy's name
	 * @param pattern the regular expression of the queue names it applies to
	 * @param definition its definition, as JSON
	 */
	public void setQueuePolicy(String name, String pattern, String definition) {
		rabbitmqctl("set_policy", "--apply-to", "queues", name, pattern, definition);
	}

	/**
	 * The process group of the node (with its epmd), for measuring its CPU and memory.
	 * @return the process group id
	 */
	public long processGroup() {
		return this.server.processGroup();
	}

	/**
	 * Whether the node accepts AMQP connections.
	 * @return {@code true} when a connection opens
	 */
	public boolean accepting() {
		ConnectionFactory factory = clientConnectionFactory();
		factory.setConnectionTimeout(2000);
		try (Connection connection = factory.newConnection("test-run-probe")) {
			return connection.isOpen();
		}
		catch (Exception ex) {
			return false;
		}
	}

	private void awaitAmqp(boolean accepting) {
		this.server.await(accepting ? "accepting AMQP connections" : "refusing AMQP connections", START_TIMEOUT,
				() -> accepting() == accepting);
	}

	/**
	 * Runs {@code rabbitmqctl} on the node, as an operator would.
	 * @param arguments the command and its arguments
	 * @return what it printed
	 */
	public String rabbitmqctl(String... arguments) {
		List<String> command = new ArrayList<>(List.of(script("rabbitmqctl"), "-q", "-n", this.node));
		command.addAll(List.of(arguments));
		try {
			return OwnedProcess.run("rabbitmqctl " + arguments[0], command, this.environment, Duration.ofSeconds(60));
		}
		catch (IllegalStateException ex) {
			throw this.server.failure(ex.getMessage());
		}
	}

	private static String script(String name) {
		Path script = SCRIPTS.resolve(name);
		if (!Files.isExecutable(script)) {
			throw new IllegalStateException("RabbitMQ is not installed (no " + script
					+ "): bin/test installs it, or run: sudo apt-get install rabbitmq-server");
		}
		return script.toString();
	}

	private static final class Shared {

		private static final TestRabbitMq instance = new TestRabbitMq(TestRun.current());

	}

}
