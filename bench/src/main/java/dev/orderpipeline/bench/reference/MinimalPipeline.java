package dev.orderpipeline.bench.reference;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * REFERENCE, NOT PRODUCT CODE: the smallest pipeline that does the product's job, written
 * for the benchmark to measure what the product costs against. A Reactor Netty intake
 * ({@code POST /orders}: two fields checked, an id and a time given, published, answered
 * 202 once the broker confirmed it), the broker's own client (RabbitMQ with asynchronous
 * publisher confirms, or a Kafka producer with {@code acks=all}) and a consumer that
 * writes batches of up to 200 rows through JDBC and acknowledges them after the commit.
 * No Spring, no security, no tracing, no metrics, no signatures, no problem details, no
 * idempotency keys, no rate limit: everything the product adds is what the comparison
 * prices.
 * <p>
 * Arguments: {@code --server.port}, {@code --management.server.port} (readiness at
 * {@code /actuator/health/readiness}), {@code --binder} ({@code rabbit} or
 * {@code kafka}), {@code --queue}, {@code --rabbit-uri} or {@code --kafka-bootstrap},
 * {@code --jdbc-url}, {@code --jdbc-user}, {@code --jdbc-password}. Others are ignored.
 */
public final class MinimalPipeline {

	static final int BATCH = 200;

	static final JsonMapper JSON = JsonMapper.builder().build();

	private MinimalPipeline() {
	}

	public static void main(String[] args) throws Exception {
		Map<String, String> options = new HashMap<>();
		for (String arg : args) {
			int equals = arg.indexOf('=');
			if (arg.startsWith("--") && equals > 0) {
				options.put(arg.substring(2, equals), arg.substring(equals + 1));
			}
		}
		String queue = options.get("queue");
		Rows rows = new Rows(options.get("jdbc-url"), options.get("jdbc-user"), options.get("jdbc-password"));
		rows.createTable();
		Broker broker = "kafka".equals(options.get("binder"))
				? new KafkaPath(options.get("kafka-bootstrap"), queue, rows)
				: new RabbitPath(options.get("rabbit-uri"), queue, rows);
		DisposableServer intake = HttpServer.create()
			.host("127.0.0.1")
			.port(Integer.parseInt(options.get("server.port")))
			.route((routes) -> routes.post("/orders",
					(request, response) -> request.receive()
						.aggregate()
						.asByteArray()
						.defaultIfEmpty(new byte[0])
						.flatMap((body) -> {
							ObjectNode order = order(body);
							if (order == null) {
								return Mono.from(response.status(400).send());
							}
							byte[] message = JSON.writeValueAsBytes(order);
							String orderId = order.get("orderId").stringValue();
							return Mono.fromFuture(broker.publish(orderId, message))
								.then(Mono.defer(() -> Mono.from(response.status(202)
									.header("Content-Type", "application/json")
									.sendString(Mono.just("{\"orderId\":\"" + orderId + "\"}")))))
								.onErrorResume((ex) -> Mono.from(response.status(503).send()));
						})))
			.bindNow();
		DisposableServer readiness = HttpServer.create()
			.host("127.0.0.1")
			.port(Integer.parseInt(options.get("management.server.port")))
			.route((routes) -> routes.get("/actuator/health/readiness",
					(request, response) -> response.sendString(Mono.just("{\"status\":\"UP\"}"))))
			.bindNow();
		Runtime.getRuntime().addShutdownHook(new Thread(() -> {
			readiness.disposeNow();
			intake.disposeNow();
			broker.close();
		}));
		intake.onDispose().block();
	}

	/**
	 * The message of an order, or {@code null} when the body is not one.
	 */
	private static ObjectNode order(byte[] body) {
		JsonNode root;
		try {
			root = JSON.readTree(body);
		}
		catch (RuntimeException ex) {
			return null;
		}
		JsonNode medication = root.get("medicationId");
		JsonNode sender = root.get("sender_userId");
		if (medication == null || !medication.isString() || medication.stringValue().isEmpty() || sender == null
				|| !sender.isString() || sender.stringValue().isEmpty()) {
			return null;
		}
		ObjectNode order = JSON.createObjectNode();
		order.put("orderId", UUID.randomUUID().toString());
		order.put("medicationId", medication.stringValue());
		order.put("sender_userId", sender.stringValue());
		order.putArray("status").add("PENDING");
		order.put("createdAt", Instant.now().truncatedTo(ChronoUnit.MICROS).toString());
		return order;
	}

	/** A broker's publishing side, and its consumer writing rows. */
	interface Broker extends AutoCloseable {

		CompletableFuture<Void> publish(String orderId, byte[] message);

		@Override
		void close();

	}

	/** The table the reference writes: an order per row, stored once. */
	static final class Rows {

		private final String url;

		private final String user;

		private final String password;

		Rows(String url, String user, String password) {
			this.url = url.contains("?") ? url + "&reWriteBatchedInserts=true" : url + "?reWriteBatchedInserts=true";
			this.user = user;
			this.password = password;
		}

		Connection connect() throws SQLException {
			Connection connection = DriverManager.getConnection(this.url, this.user, this.password);
			connection.setAutoCommit(false);
			return connection;
		}

		void createTable() throws SQLException {
			try (Connection connection = connect(); Statement statement = connection.createStatement()) {
				statement.execute("CREATE TABLE IF NOT EXISTS orders (order_id uuid PRIMARY KEY, "
						+ "medication_id text NOT NULL, sender_user_id text NOT NULL, status text[] NOT NULL, "
						+ "created_at timestamptz NOT NULL, stored_at timestamptz NOT NULL DEFAULT clock_timestamp())");
				connection.commit();
			}
		}

		/**
		 * Writes a batch of messages in one transaction.
		 * @param connection the writer's connection
		 * @param messages the messages' bodies
		 */
		static void write(Connection connection, Iterable<byte[]> messages) throws SQLException {
			try (var insert = connection.prepareStatement("INSERT INTO orders (order_id, medication_id, "
					+ "sender_user_id, status, created_at) VALUES (?::uuid, ?, ?, ARRAY['PENDING'], ?::timestamptz) "
					+ "ON CONFLICT (order_id) DO NOTHING")) {
				for (byte[] message : messages) {
					JsonNode order = JSON.readTree(new String(message, StandardCharsets.UTF_8));
					insert.setString(1, order.get("orderId").stringValue());
					insert.setString(2, order.get("medicationId").stringValue());
					insert.setString(3, order.get("sender_userId").stringValue());
					insert.setString(4, order.get("createdAt").stringValue());
					insert.addBatch();
				}
				insert.executeBatch();
			}
			connection.commit();
		}

	}

}
