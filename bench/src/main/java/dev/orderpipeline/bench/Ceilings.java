package dev.orderpipeline.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.orderpipeline.testsupport.TestDatabase;
import dev.orderpipeline.testsupport.servers.TestRabbitMq;

/**
 * What this machine can do without the pipeline, measured in the same run so every figure
 * can be read as a share of it: RabbitMQ PerfTest with persistent messages and publisher
 * confirms, and PostgreSQL inserting 100-row statements.
 */
final class Ceilings {

	private static final Pattern RECEIVING_RATE = Pattern.compile("receiving rate avg: (\\d+)");

	private static final int ROWS_PER_INSERT = 100;

	private Ceilings() {
	}

	/**
	 * Runs RabbitMQ PerfTest (from this JVM's class path) in its own process: one
	 * producer, one consumer, persistent messages, confirms.
	 * @param duration how long
	 * @param log where its output goes
	 * @return messages received per second
	 */
	static double perfTest(Duration duration, Path log) throws IOException, InterruptedException {
		List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
				"-cp", System.getProperty("java.class.path"), "com.rabbitmq.perf.PerfTest", "--uri",
				TestRabbitMq.shared().uri(), "--producers", "1", "--consumers", "1", "--flag", "persistent",
				"--confirm", "500", "--qos", "500", "--size", "200", "--queue",
				"bench-perftest-" + UUID.randomUUID().toString().substring(0, 8), "--auto-delete", "true", "--time",
				String.valueOf(duration.toSeconds()));
		Process process = new ProcessBuilder(command).redirectErrorStream(true)
			.redirectOutput(ProcessBuilder.Redirect.to(log.toFile()))
			.start();
		if (process.waitFor() != 0) {
			throw new IllegalStateException("PerfTest failed; see " + log);
		}
		Matcher matcher = RECEIVING_RATE.matcher(java.nio.file.Files.readString(log, StandardCharsets.UTF_8));
		if (!matcher.find()) {
			throw new IllegalStateException("No receiving rate in PerfTest's output; see " + log);
		}
		return Double.parseDouble(matcher.group(1));
	}

	/**
	 * Inserts rows shaped like orders, 100 per statement, into a scratch table.
	 * @param database the run's database
	 * @param duration how long
	 * @return rows per second
	 */
	static double postgresInserts(TestDatabase database, Duration duration) throws SQLException {
		try (Connection connection = database.connect(); Statement ddl = connection.createStatement()) {
			ddl.execute("CREATE TABLE ceiling_orders (order_id uuid PRIMARY KEY, medication_id text NOT NULL, "
					+ "sender_user_id text NOT NULL, status text[] NOT NULL, channel text NOT NULL, "
					+ "created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL, "
					+ "stored_at timestamptz NOT NULL DEFAULT clock_timestamp())");
			StringBuilder sql = new StringBuilder("INSERT INTO ceiling_orders "
					+ "(order_id, medication_id, sender_user_id, status, channel, created_at, updated_at) VALUES ");
			for (int row = 0; row < ROWS_PER_INSERT; row++) {
				sql.append((row > 0) ? ", " : "").append("(?, ?, ?, ?, ?, ?, ?)");
			}
			long rows = 0;
			long start = System.nanoTime();
			long deadline = start + duration.toNanos();
			try (PreparedStatement insert = connection.prepareStatement(sql.toString())) {
				java.sql.Array status = connection.createArrayOf("text", new String[] { "PENDING" });
				while (System.nanoTime() < deadline) {
					Timestamp now = Timestamp.from(Instant.now());
					for (int row = 0; row < ROWS_PER_INSERT; row++) {
						int p = row * 7;
						insert.setObject(p + 1, UUID.randomUUID());
						insert.setString(p + 2, "med-ceiling");
						insert.setString(p + 3, "ceiling");
						insert.setArray(p + 4, status);
						insert.setString(p + 5, "API");
						insert.setTimestamp(p + 6, now);
						insert.setTimestamp(p + 7, now);
					}
					rows += insert.executeUpdate();
				}
			}
			double rate = rows / ((System.nanoTime() - start) / 1e9);
			ddl.execute("DROP TABLE ceiling_orders");
			return rate;
		}
	}

}
