package dev.orderpipeline.migration;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

import dev.orderpipeline.contracts.NewOrder;
import dev.orderpipeline.testsupport.LegacyOrderTable;
import dev.orderpipeline.testsupport.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.jdbc.core.simple.JdbcClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The reconciliation on the test run's PostgreSQL: a legacy table and a store's
 * {@code orders} table, rows stored, refused, late and missing.
 */
class ReconciliationTests {

	private static final JsonMapper json = JsonMapper.builder().build();

	private static final TestDatabase database = TestDatabase.create("reconcile");

	private static JdbcClient jdbc;

	private static LegacyTable table;

	private final List<Duration> waits = new ArrayList<>();

	@TempDir
	private Path directory;

	private Rejects rejects;

	@BeforeAll
	static void tables() throws SQLException {
		LegacyOrderTable.create(database)
			.add("a", "med", "user")
			.add("b", "med", "user")
			.add("c", "med", "user")
			.add("d", "med", "user")
			.add("e", "med", "user");
		try (Connection connection = database.connect(); Statement statement = connection.createStatement()) {
			statement.execute("CREATE TABLE orders (order_id uuid PRIMARY KEY)");
		}
		PGSimpleDataSource dataSource = new PGSimpleDataSource();
		dataSource.setUrl(database.jdbcUrl());
		dataSource.setUser(database.user());
		dataSource.setPassword(database.password());
		jdbc = JdbcClient.create(dataSource);
		table = new LegacyTable(jdbc,
				new MigrationProperties.Legacy(null, null, null, "public", "Order", new MigrationProperties.Columns(
						"id", "medicationId", "sender_userId", "status", "createdAt", "updatedAt"), ZoneId.of("UTC")),
				json);
	}

	@AfterAll
	static void drop() {
		database.drop();
	}

	@BeforeEach
	void store() {
		jdbc.sql("DELETE FROM orders").update();
		this.rejects = new Rejects(this.directory.resolve("rejects.ndjson"), json);
	}

	@Test
	void everyRowStoredOrRefusedMatches() {
		store("a", "b", "d", "e");
		this.rejects.addAll(List.of(new Rejects.Rejected("c", json.readTree("{\"status\":400}"))));
		Reconciliation.Report report = reconciliation().run();
		assertThat(report).isEqualTo(new Reconciliation.Report(5, 4, List.of("c"), List.of()));
		assertThat(report.matches()).isTrue();
		assertThat(this.waits).isEmpty();
	}

	@Test
	void looksAgainForRowsStillOnTheirWayAndReportsTheRestMissing() {
		store("a", "b");
		this.rejects.addAll(List.of(new Rejects.Rejected("c", json.readTree("{\"status\":400}"))));
		// d is stored while the reconciliation waits; e never is.
		Reconciliation reconciliation = new Reconciliation(table, jdbc, this.rejects, Duration.ofMinutes(5),
				(duration) -> {
					this.waits.add(duration);
					if (this.waits.size() == 2) {
						store("d");
					}
				});
		Reconciliation.Report report = reconciliation.run();
		assertThat(report).isEqualTo(new Reconciliation.Report(5, 3, List.of("c"), List.of("e")));
		assertThat(report.matches()).isFalse();
		// Two looks until d came, then ten that found nothing new.
		assertThat(this.waits).hasSize(12);
	}

	private Reconciliation reconciliation() {
		return new Reconciliation(table, jdbc, this.rejects, Duration.ofMinutes(5), this.waits::add);
	}

	private static void store(String... rowIds) {
		for (String rowId : rowIds) {
			jdbc.sql("INSERT INTO orders (order_id) VALUES (?)").param(NewOrder.idForLegacyRow(rowId)).update();
		}
	}

}
