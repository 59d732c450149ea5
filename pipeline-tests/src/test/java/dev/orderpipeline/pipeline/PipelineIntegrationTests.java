package dev.orderpipeline.pipeline;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import dev.orderpipeline.contracts.NewOrder;
import dev.orderpipeline.testsupport.LegacyOrderTable;
import dev.orderpipeline.testsupport.LegacyPublisher;
import dev.orderpipeline.testsupport.RabbitTestTopology;
import dev.orderpipeline.testsupport.ServiceProcess;
import dev.orderpipeline.testsupport.TestDatabase;
import dev.orderpipeline.testsupport.TestTokens;
import dev.orderpipeline.testsupport.servers.DiesWithThisJvm;
import dev.orderpipeline.testsupport.servers.FreePorts;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The packaged services as separate processes on the test run's RabbitMQ and PostgreSQL,
 * driven over HTTP as a client would.
 */
class PipelineIntegrationTests {

	private static final Path LOGS = Path.of("target", "pipeline-logs");

	private static final TestDatabase database = TestDatabase.shared();

	private static final RabbitTestTopology topology = new RabbitTestTopology();

	private static final HttpClient http = HttpClient.newHttpClient();

	private static final JsonMapper json = JsonMapper.builder().build();

	private static final int ROWS = 100_000;

	private static final Pattern PROGRESS = Pattern.compile("Migrated (\\d+) of (\\d+) rows");

	private static final TestDatabase legacy = TestDatabase.create("legacy");

	@TempDir
	private static Path work;

	private static ServiceProcess sink;

	private static ServiceProcess source;

	@BeforeAll
	static void startPipeline() throws IOException {
		sink = ServiceProcess.start("order-sink", jar("pipeline.sink.jar"), LOGS,
				Stream.concat(topology.arguments().stream(), database.arguments().stream()).toList());
		source = ServiceProcess.start("order-source", jar("pipeline.source.jar"), LOGS, Stream
			.concat(topology.arguments().stream(), Stream.of("--orders.source.read-api-base-url=" + sink.baseUri(),
					// A migration's pace is the pipeline's, not the default
					// bulk allowance's 1,000 orders a second.
					"--orders.source.rate-limit.bulk-orders-per-second=1000000",
					"--orders.source.rate-limit.bulk-burst=1000000", "--orders.source.migration-enabled=true"))
			.toList());
	}

	@AfterAll
	static void stopPipeline() {
		if (source != null) {
			source.stop();
		}
		if (sink != null) {
			sink.stop();
		}
		topology.delete();
		legacy.drop();
	}

	@Test
	void anOrderPlacedOverHttpIsStoredAndReadableAtItsLocation() throws Exception {
		String sender = sender();
		HttpResponse<String> accepted = post(source, "/orders", sender, null);
		assertThat(accepted.statusCode()).isEqualTo(202);
		URI location = URI.create(accepted.headers().firstValue("Location").orElseThrow());
		String orderId = json.readTree(accepted.body()).get("orderId").stringValue();
		assertThat(location).hasToString(sink.baseUri() + "/orders/" + orderId);
		await().atMost(Duration.ofSeconds(20)).until(() -> get(location, sender).statusCode() == 200);
		JsonNode stored = json.readTree(get(location, sender).body());
		assertThat(stored.get("sender_userId").stringValue()).isEqualTo(sender);
		assertThat(stored.get("channel").stringValue()).isEqualTo("API");
		assertThat(database.countOrders("order_id = '" + orderId + "'")).isOne();
		assertThat(get(sink.actuatorUri().resolve("/actuator/prometheus")).body()).contains("orders_stored_total");
	}

	/**
	 * A sender lists its orders, those placed on the legacy route in its name marked by
	 * their channel, and so does a pharmacist; another sender is told nothing: 404 for
	 * the order, exactly as for a missing one, and 403 for the list.
	 */
	@Test
	void anOrderIsListedByItsSenderAndAPharmacistAndHiddenFromAnotherSender() throws Exception {
		String sender = sender();
		HttpResponse<String> accepted = post(source, "/orders", sender, null);
		assertThat(accepted.statusCode()).isEqualTo(202);
		assertThat(post(source, "/queue/neworder", sender, null).statusCode()).isEqualTo(200);
		URI location = URI.create(accepted.headers().firstValue("Location").orElseThrow());
		URI list = sink.baseUri().resolve("/senders/" + sender + "/orders");
		String senderToken = TestTokens.shared().token(sender, "orders:read");
		await().atMost(Duration.ofSeconds(20))
			.until(() -> json.readTree(read(list, senderToken).body()).get("orders").size() == 2);

		String pharmacist = TestTokens.shared().claims("pharmacist-1").roles("pharmacist").sign();
		for (String token : List.of(senderToken, pharmacist)) {
			JsonNode page = json.readTree(read(list, token).body());
			assertThat(page.get("orders").valueStream().map((order) -> order.get("channel").stringValue()))
				.containsExactlyInAnyOrder("API", "LEGACY_HTTP");
			assertThat(page.get("orders").valueStream().map((order) -> order.get("sender_userId").stringValue()))
				.containsOnly(sender);
			assertThat(page.get("next").isNull()).isTrue();
		}

		String other = TestTokens.shared().token(sender(), "orders:read");
		HttpResponse<String> theirs = read(location, other);
		HttpResponse<String> missing = read(sink.baseUri().resolve("/orders/" + UUID.randomUUID()), other);
		assertThat(theirs.statusCode()).isEqualTo(missing.statusCode()).isEqualTo(404);
		assertThat(read(list, other).statusCode()).isEqualTo(403);
	}

	/**
	 * A pharmacist approves, dispatches and delivers an order, each change on the version
	 * the previous one made; the sender's later cancel is refused as illegal; the order's
	 * history shows all four, and the sender, following the order live since it was
	 * accepted, saw it stored and each change as it was decided.
	 */
	@Test
	void anOrderMovesThroughItsLifecycleAndKeepsItsHistory() throws Exception {
		String sender = sender();
		HttpResponse<String> accepted = post(source, "/orders", sender, null);
		URI location = URI.create(accepted.headers().firstValue("Location").orElseThrow());
		String orderId = json.readTree(accepted.body()).get("orderId").stringValue();
		String senderToken = TestTokens.shared().token(sender, "orders:write", "orders:read");
		HttpResponse<Stream<String>> following = http
			.send(HttpRequest.newBuilder(sink.baseUri().resolve("/orders/" + orderId + "/events"))
				.header("Authorization", "Bearer " + senderToken)
				.header("Accept", "text/event-stream")
				.build(), HttpResponse.BodyHandlers.ofLines());
		assertThat(following.statusCode()).isEqualTo(200);
		List<String> followed = new CopyOnWriteArrayList<>();
		CompletableFuture<Void> reading = CompletableFuture.runAsync(() -> following.body()
			.filter((line) -> line.startsWith("data:"))
			.map((line) -> json.readTree(line.substring(5)))
			.filter((event) -> event.has("orderId"))
			.forEach((event) -> followed
				.add(event.get("event").stringValue() + " " + event.path("change").path("to").asString("") + " "
						+ event.path("change").path("outcome").asString(""))));
		await().atMost(Duration.ofSeconds(20)).until(() -> read(location, senderToken).statusCode() == 200);
		assertThat(read(location, senderToken).headers().firstValue("ETag")).hasValue("\"1\"");

		String pharmacist = TestTokens.shared().claims("pharmacist-1").roles("pharmacist").sign();
		List<String> steps = List.of("APPROVED", "DISPATCHED", "DELIVERED");
		for (int i = 0; i < steps.size(); i++) {
			int version = i + 1;
			HttpResponse<String> change = command(orderId, pharmacist, version, steps.get(i));
			assertThat(change.statusCode()).as(change.body()).isEqualTo(202);
			assertThat(change.headers().firstValue("Location")).hasValue(location.toString());
			await().atMost(Duration.ofSeconds(20))
				.until(() -> read(location, senderToken).headers()
					.firstValue("ETag")
					.orElse("")
					.equals("\"" + (version + 1) + "\""));
		}
		assertThat(command(orderId, senderToken, 4, "CANCELLED").statusCode()).isEqualTo(202);
		await().atMost(Duration.ofSeconds(20))
			.until(() -> json.readTree(read(location, senderToken).body()).get("history").size() == 4);

		JsonNode order = json.readTree(read(location, pharmacist).body());
		assertThat(order.get("state").stringValue()).isEqualTo("DELIVERED");
		assertThat(order.get("version").intValue()).isEqualTo(4);
		assertThat(order.get("history")
			.valueStream()
			.map((entry) -> entry.get("to").stringValue() + " " + entry.get("outcome").stringValue() + " "
					+ entry.path("refusal").asString("")))
			.containsExactly("APPROVED APPLIED ", "DISPATCHED APPLIED ", "DELIVERED APPLIED ",
					"CANCELLED REFUSED ILLEGAL");
		assertThat(order.get("history").get(3).get("actor").stringValue()).isEqualTo(sender);
		try {
			await().atMost(Duration.ofSeconds(20)).until(() -> followed.size() >= 5);
			assertThat(followed).containsExactly("order-stored  ", "status-changed APPROVED APPLIED",
					"status-changed DISPATCHED APPLIED", "status-changed DELIVERED APPLIED",
					"status-changed CANCELLED REFUSED");
		}
		finally {
			following.body().close();
			reading.cancel(true);
		}
	}

	@Test
	void oneTraceRunsFromTheRequestThroughTheBrokerToTheRow() throws Exception {
		String sender = sender();
		String traceId = UUID.randomUUID().toString().replace("-", "");
		String traceparent = "00-" + traceId + "-" + traceId.substring(0, 16) + "-01";
		HttpResponse<String> accepted = http.send(HttpRequest.newBuilder(source.baseUri().resolve("/orders"))
			.header("Content-Type", "application/json")
			.header("Authorization", "Bearer " + TestTokens.shared().token(sender, "orders:write"))
			.header("traceparent", traceparent)
			.POST(HttpRequest.BodyPublishers.ofString(body(sender)))
			.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(accepted.statusCode()).isEqualTo(202);
		String orderId = json.readTree(accepted.body()).get("orderId").stringValue();
		await().atMost(Duration.ofSeconds(20))
			.until(() -> database.countOrders("order_id = '" + orderId + "' AND trace_id = '" + traceId + "'") == 1);
		URI location = URI.create(accepted.headers().firstValue("Location").orElseThrow());
		assertThat(json.readTree(get(location, sender).body()).get("traceId").stringValue()).isEqualTo(traceId);
	}

	/**
	 * A stream of orders through both services: every accepted line's order is stored,
	 * once, under the stream's trace; the bad line is refused and nothing of it stored.
	 */
	@Test
	void everyOrderAcceptedInAStreamIsStoredUnderTheStreamsTrace() throws Exception {
		String sender = sender();
		String traceId = UUID.randomUUID().toString().replace("-", "");
		StringBuilder body = new StringBuilder();
		for (int i = 1; i <= 200; i++) {
			body.append((i == 100) ? "{\"medicationId\": \"med-e2e\"}" : body(sender)).append('\n');
		}
		HttpResponse<String> answered = http.send(HttpRequest.newBuilder(source.baseUri().resolve("/orders"))
			.header("Content-Type", "application/x-ndjson")
			.header("Authorization", "Bearer " + TestTokens.shared().token(sender, "orders:write", "orders:bulk"))
			.header("traceparent", "00-" + traceId + "-" + traceId.substring(0, 16) + "-01")
			.POST(HttpRequest.BodyPublishers.ofString(body.toString()))
			.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(answered.statusCode()).isEqualTo(200);
		List<JsonNode> results = answered.body().lines().map(json::readTree).toList();
		Set<String> accepted = results.stream()
			.filter((result) -> "accepted".equals(result.path("result").asString()))
			.map((result) -> result.get("orderId").asString())
			.collect(Collectors.toSet());
		assertThat(accepted).hasSize(199);
		assertThat(results).filteredOn((result) -> "rejected".equals(result.path("result").asString()))
			.singleElement()
			.satisfies((result) -> assertThat(result.get("line").intValue()).isEqualTo(100));
		assertThat(results.get(results.size() - 1).get("result").asString()).isEqualTo("done");
		await().atMost(Duration.ofSeconds(30))
			.until(() -> database.countOrders("sender_user_id = '" + sender + "'") == 199);
		assertThat(database.countOrders("sender_user_id = '" + sender + "' AND trace_id = '" + traceId + "'"))
			.isEqualTo(199);
		for (String orderId : List.copyOf(accepted).subList(0, 3)) {
			assertThat(database.countOrders("order_id = '" + orderId + "'")).isOne();
		}
	}

	@Test
	void everyMetricTheGrafanaDashboardQueriesIsExported() throws Exception {
		// Events behind the meters that appear only once they happened.
		String sender = sender();
		assertThat(post(source, "/orders", sender, null).statusCode()).isEqualTo(202);
		HttpResponse<String> invalid = http.send(HttpRequest.newBuilder(source.baseUri().resolve("/orders"))
			.header("Content-Type", "application/json")
			.header("Authorization", "Bearer " + TestTokens.shared().token(sender, "orders:write"))
			.POST(HttpRequest.BodyPublishers.ofString("{}"))
			.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(invalid.statusCode()).isEqualTo(400);
		LegacyPublisher.publish(topology.queue(), "not an order", null);
		await().atMost(Duration.ofSeconds(20))
			.until(() -> get(sink.actuatorUri().resolve("/actuator/prometheus")).body()
				.contains("orders_dead_lettered_total"));
		String exported = get(source.actuatorUri().resolve("/actuator/prometheus")).body()
				+ get(sink.actuatorUri().resolve("/actuator/prometheus")).body();
		Set<String> series = exported.lines()
			.filter((line) -> !line.startsWith("#") && !line.isBlank())
			.map((line) -> line.split("[{ ]", 2)[0])
			.collect(Collectors.toSet());
		JsonNode dashboard = json.readTree(Path.of("../helm/order-pipeline/dashboards/order-pipeline.json").toFile());
		Set<String> queried = new TreeSet<>();
		Pattern metric = Pattern.compile("\\b((?:orders|jvm|process|http|rabbitmq|r2dbc)_[a-z0-9_]+)\\b");
		dashboard.findValues("expr").forEach((expr) -> {
			Matcher names = metric.matcher(expr.stringValue());
			while (names.find()) {
				queried.add(names.group(1));
			}
		});
		assertThat(queried).contains("orders_accepted_total", "orders_stored_total", "orders_queue_depth");
		assertThat(series).containsAll(queried);
	}

	@Test
	void anOrderPlacedOnTheLegacyRouteIsStored() throws Exception {
		String sender = sender();
		HttpResponse<String> accepted = post(source, "/queue/neworder", sender, null);
		assertThat(accepted.statusCode()).isEqualTo(200);
		assertThat(json.readTree(accepted.body()).get("message").stringValue()).isEqualTo("Order queued succesfully");
		await().atMost(Duration.ofSeconds(20))
			.until(() -> database.countOrders("sender_user_id = '" + sender + "' AND channel = 'LEGACY_HTTP'") == 1);
	}

	@Test
	void aRetriedPostWithTheSameIdempotencyKeyIsStoredOnce() throws Exception {
		String sender = sender();
		String key = UUID.randomUUID().toString();
		HttpResponse<String> first = post(source, "/orders", sender, key);
		HttpResponse<String> retry = post(source, "/orders", sender, key);
		assertThat(first.statusCode()).isEqualTo(202);
		assertThat(retry.statusCode()).isEqualTo(202);
		String orderId = json.readTree(first.body()).get("orderId").stringValue();
		assertThat(json.readTree(retry.body()).get("orderId").stringValue()).isEqualTo(orderId);
		String marker = sender();
		post(source, "/orders", marker, null);
		await().atMost(Duration.ofSeconds(20))
			.until(() -> database.countOrders("sender_user_id = '" + marker + "'") == 1);
		assertThat(database.countOrders("sender_user_id = '" + sender + "'")).isOne();
	}

	@Test
	void answers503WithTheOrderIdWhenTheBrokerIsUnreachableAndStoresNothing() throws Exception {
		String closedPort = String.valueOf(FreePorts.next());
		// The legacy service's variables configure the broker too.
		try (ServiceProcess cutOff = ServiceProcess.start("order-source-broker-down", jar("pipeline.source.jar"), LOGS,
				List.of("--orders.queue=" + topology.queue()),
				Map.of("RABBITMQ_HOST", "127.0.0.1", "RABBITMQ_PORT", closedPort))) {
			HttpResponse<String> refused = post(cutOff, "/orders", sender(), null);
			assertThat(refused.statusCode()).isEqualTo(503);
			assertThat(refused.headers().firstValue("Content-Type")).hasValue("application/problem+json");
			assertThat(refused.headers().firstValue("Retry-After")).isPresent();
			JsonNode problem = json.readTree(refused.body());
			assertThat(problem.get("reason").stringValue()).isEqualTo("BROKER_UNAVAILABLE");
			String orderId = problem.get("orderId").stringValue();
			String marker = sender();
			post(source, "/orders", marker, null);
			await().atMost(Duration.ofSeconds(20))
				.until(() -> database.countOrders("sender_user_id = '" + marker + "'") == 1);
			assertThat(database.countOrders("order_id = '" + orderId + "'")).isZero();
		}
	}

	private static HttpResponse<String> post(ServiceProcess service, String path, String sender, String idempotencyKey)
			throws IOException, InterruptedException {
		HttpRequest.Builder request = HttpRequest.newBuilder(service.baseUri().resolve(path))
			.header("Content-Type", "application/json")
			.header("Authorization", "Bearer " + TestTokens.shared().token(sender, "orders:write"))
			.timeout(Duration.ofSeconds(30))
			.POST(HttpRequest.BodyPublishers.ofString(body(sender)));
		if (idempotencyKey != null) {
			request.header("Idempotency-Key", idempotencyKey);
		}
		return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	private static HttpResponse<String> command(String orderId, String token, int version, String status)
			throws IOException, InterruptedException {
		return http.send(HttpRequest.newBuilder(source.baseUri().resolve("/order-commands/" + orderId + "/status"))
			.header("Content-Type", "application/json")
			.header("Authorization", "Bearer " + token)
			.header("If-Match", "\"" + version + "\"")
			.timeout(Duration.ofSeconds(30))
			.POST(HttpRequest.BodyPublishers.ofString("{\"status\": \"" + status + "\"}"))
			.build(), HttpResponse.BodyHandlers.ofString());
	}

	private static HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
		return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
				HttpResponse.BodyHandlers.ofString());
	}

	private static HttpResponse<String> get(URI uri, String reader) throws IOException, InterruptedException {
		return read(uri, TestTokens.shared().token(reader, "orders:read"));
	}

	private static HttpResponse<String> read(URI uri, String token) throws IOException, InterruptedException {
		return http.send(HttpRequest.newBuilder(uri)
			.header("Authorization", "Bearer " + token)
			.timeout(Duration.ofSeconds(10))
			.build(), HttpResponse.BodyHandlers.ofString());
	}

	private static String body(String sender) {
		return "{\"medicationId\": \"med-e2e\", \"sender_userId\": \"" + sender + "\"}";
	}

	private static String sender() {
		return "user-" + UUID.randomUUID();
	}

	/**
	 * The migration command on a legacy table of 100,000 rows built as Prisma builds it:
	 * killed once half the rows are sent, started again, it goes on after its checkpoint,
	 * and reconciles every row (two of which the pipeline refuses for what they hold).
	 */
	@Test
	void migratesEveryRowSurvivingAKillHalfwayAndReconcilesTheCounts() throws Exception {
		LegacyOrderTable.create(legacy)
			.add("bad-sender", "med-1", " ")
			.add("bad-medication", "m".repeat(200), "user-1")
			.fill(ROWS - 2);
		Path tokenFile = work.resolve("token");
		Files.writeString(tokenFile, TestTokens.shared().token("migration-1", "orders:write", "orders:migrate"));
		Path firstLog = LOGS.resolve("order-migration-killed.log");
		Process killed = migrate(tokenFile, firstLog);
		await().atMost(Duration.ofMinutes(3))
			.failFast("the migration ended before it was killed", () -> !killed.isAlive())
			.until(() -> progress(firstLog) >= ROWS / 2);
		killed.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
		int sentBeforeKill = progress(firstLog);
		assertThat(sentBeforeKill).isLessThan(ROWS);

		Path secondLog = LOGS.resolve("order-migration-resumed.log");
		Process resumed = migrate(tokenFile, secondLog);
		assertThat(resumed.waitFor(4, TimeUnit.MINUTES)).isTrue();
		String output = Files.readString(secondLog);
		assertThat(resumed.exitValue()).as(output).isZero();
		assertThat(output).contains("Resuming the migration of \"public\".\"Order\" after id")
			.contains("Reconciliation: 100000 legacy rows, 99998 stored, 2 rejected, 0 missing: the counts match");
		// The second run sent only what came after the checkpoint.
		Matcher first = PROGRESS.matcher(output);
		assertThat(first.find()).isTrue();
		assertThat(Integer.parseInt(first.group(1))).isGreaterThan(sentBeforeKill);

		assertThat(database.countOrders("channel = 'LEGACY_MIGRATION'")).isEqualTo(ROWS - 2);
		assertMigratedAsTheLegacyRowHoldsIt();
		List<JsonNode> rejects = Files.readAllLines(work.resolve("order-migration.rejects.ndjson"))
			.stream()
			.map(json::readTree)
			.toList();
		assertThat(rejects).extracting((reject) -> reject.get("id").asString())
			.containsOnly("bad-sender", "bad-medication");
		assertThat(rejects).extracting((reject) -> reject.at("/problem/errors/0/field").asString())
			.containsOnly("sender_userId", "medicationId");
		assertThat(Files.readString(LOGS.resolve("order-source.log")))
			.contains("Migration stream opened by migration-1")
			.contains("Migration stream by migration-1 ended");
	}

	/** A sample of rows: each stored under its row's id, with its times and statuses. */
	private static void assertMigratedAsTheLegacyRowHoldsIt() throws SQLException {
		List<String[]> sample = new ArrayList<>();
		try (Connection connection = legacy.connect();
				Statement statement = connection.createStatement();
				ResultSet rows = statement.executeQuery("SELECT \"id\", \"sender_userId\", \"status\"::text, "
						+ "to_char(\"createdAt\", 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), "
						+ "to_char(\"updatedAt\", 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') FROM (SELECT *, "
						+ "row_number() OVER (PARTITION BY \"medicationId\" ORDER BY \"id\") AS n FROM \"Order\" "
						+ "WHERE \"medicationId\" IN ('med-10', 'med-11')) AS sample WHERE n <= 3")) {
			while (rows.next()) {
				sample.add(new String[] { rows.getString(1), rows.getString(2), rows.getString(3), rows.getString(4),
						rows.getString(5) });
			}
		}
		assertThat(sample).hasSize(6);
		// Rows of med-10 were last changed a day after they were created, those of med-11
		// when they were.
		assertThat(sample).anyMatch((row) -> !row[3].equals(row[4])).anyMatch((row) -> row[3].equals(row[4]));
		for (String[] row : sample) {
			String orderId = NewOrder.idForLegacyRow(row[0]).toString();
			assertThat(database
				.countOrders("order_id = '" + orderId + "' AND sender_user_id = '" + row[1] + "' AND status::text = '"
						+ row[2] + "' AND created_at = '" + Instant.parse(row[3]) + "' AND updated_at = '"
						+ Instant.parse(row[4]) + "' AND channel = 'LEGACY_MIGRATION' AND state = 'PENDING'"))
				.as("row %s", row[0])
				.isOne();
		}
	}

	private static Process migrate(Path tokenFile, Path log) throws IOException {
		List<String> command = new ArrayList<>(List.of(
				Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m", "-XX:+UseSerialGC",
				"-jar", jar("pipeline.migration.jar").toAbsolutePath().toString(), "migrate",
				"--orders.migration.intake-url=" + source.baseUri(), "--orders.migration.token-file=" + tokenFile,
				"--orders.migration.legacy.url=" + legacy.jdbcUrl(),
				"--orders.migration.legacy.username=" + legacy.user(),
				"--orders.migration.legacy.password=" + legacy.password(),
				"--orders.migration.store.url=" + database.jdbcUrl(),
				"--orders.migration.store.username=" + database.user(),
				"--orders.migration.store.password=" + database.password()));
		Files.createDirectories(LOGS);
		return new ProcessBuilder(DiesWithThisJvm.command(command)).directory(work.toFile())
			.redirectErrorStream(true)
			.redirectOutput(log.toAbsolutePath().toFile())
			.start();
	}

	/** The rows the log says were sent, so far. */
	private static int progress(Path log) throws IOException {
		Matcher progress = PROGRESS.matcher(Files.readString(log, StandardCharsets.UTF_8));
		int sent = 0;
		while (progress.find()) {
			sent = Integer.parseInt(progress.group(1));
		}
		return sent;
	}

	private static Path jar(String property) {
		return Path.of(System.getProperty(property));
	}

}
