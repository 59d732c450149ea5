package dev.orderpipeline.migration;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

import dev.orderpipeline.testsupport.LegacyOrderTable;
import dev.orderpipeline.testsupport.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.jdbc.core.simple.JdbcClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * The legacy table read on the test run's PostgreSQL: Prisma's table by default, and a
 * table of other names and types through the settings.
 */
class LegacyTableTests {

	private static final JsonMapper json = JsonMapper.builder().build();

	private static final TestDatabase database = TestDatabase.create("legacy");

	private static JdbcClient jdbc;

	@BeforeAll
	static void tables() throws SQLException {
		LegacyOrderTable.create(database).fill(25);
		PGSimpleDataSource dataSource = new PGSimpleDataSource();
		dataSource.setUrl(database.jdbcUrl());
		dataSource.setUser(database.user());
		dataSource.setPassword(database.password());
		jdbc = JdbcClient.create(dataSource);
		try (Connection connection = database.connect(); Statement statement = connection.createStatement()) {
			statement.execute("CREATE SCHEMA old");
			statement.execute("CREATE TABLE old.orders (order_no serial PRIMARY KEY, medication text, sender text, "
					+ "states jsonb, created timestamptz, changed timestamptz)");
			statement.execute("INSERT INTO old.orders (medication, sender, states, created, changed) "
					+ "SELECT 'med-' || i, 'user-' || i, '[\"PENDING\"]', "
					+ "timestamptz '2024-01-01 00:00:00+00' + i * interval '1 hour', NULL "
					+ "FROM generate_series(1, 12) AS i");
		}
	}

	@AfterAll
	static void drop() {
		database.drop();
	}

	@Test
	void readsPrismasTableInTheOrderOfItsIdsAPageAtATimeAfterTheLastIdRead() {
		LegacyTable table = prisma(ZoneId.of("UTC"));
		List<LegacyRow> rows = new ArrayList<>();
		List<LegacyRow> page;
		String lastId = null;
		while (!(page = table.page(lastId, 10)).isEmpty()) {
			assertThat(page).hasSizeLessThanOrEqualTo(10);
			rows.addAll(page);
			lastId = page.get(page.size() - 1).id();
		}
		assertThat(rows).hasSize(25);
		assertThat(rows).extracting(LegacyRow::id).doesNotHaveDuplicates();
		assertThat(table.count()).isEqualTo(25);
		assertThat(table.countUpTo(rows.get(9).id())).isEqualTo(10);
		assertThat(table.ids(rows.get(19).id(), 100))
			.containsExactlyElementsOf(rows.subList(20, 25).stream().map(LegacyRow::id).toList());
		LegacyRow tenth = rows.stream().filter((row) -> row.medicationId().equals("med-10")).findFirst().orElseThrow();
		assertThat(tenth.senderUserId()).isEqualTo("user-10");
		assertThat(tenth.status()).containsExactly("PENDING", "APPROVED");
		assertThat(tenth.createdAt()).isEqualTo(Instant.parse("2024-01-01T00:00:10Z"));
		assertThat(tenth.updatedAt()).isEqualTo(Instant.parse("2024-01-02T00:00:10Z"));
		LegacyRow first = rows.stream().filter((row) -> row.medicationId().equals("med-1")).findFirst().orElseThrow();
		assertThat(first.updatedAt()).isEqualTo(first.createdAt());
		assertThat(table.rows(List.of(tenth.id(), first.id(), "no-such-id"))).containsExactlyInAnyOrder(tenth, first);
	}

	@Test
	void timesWithoutAZoneAreInTheConfiguredZone() {
		LegacyRow row = prisma(ZoneId.of("America/Sao_Paulo")).page(null, 25)
			.stream()
			.filter((candidate) -> candidate.medicationId().equals("med-1"))
			.findFirst()
			.orElseThrow();
		assertThat(row.createdAt()).isEqualTo(Instant.parse("2024-01-01T03:00:01Z"));
	}

	@Test
	void readsATableOfOtherNamesWithNumericIdsInTheirNumericOrder() {
		LegacyTable table = new LegacyTable(jdbc, new MigrationProperties.Legacy(null, null, null, "old", "orders",
				new MigrationProperties.Columns("order_no", "medication", "sender", "states", "created", "changed"),
				ZoneId.of("UTC")), json);
		List<LegacyRow> first = table.page(null, 5);
		assertThat(first).extracting(LegacyRow::id).containsExactly("1", "2", "3", "4", "5");
		assertThat(table.page("9", 5)).extracting(LegacyRow::id).containsExactly("10", "11", "12");
		assertThat(table.countUpTo("10")).isEqualTo(10);
		LegacyRow row = first.get(1);
		assertThat(row.medicationId()).isEqualTo("med-2");
		assertThat(row.status()).containsExactly("PENDING");
		assertThat(row.createdAt()).isEqualTo(Instant.parse("2024-01-01T02:00:00Z"));
		assertThat(row.updatedAt()).isNull();
	}

	@Test
	void refusesAnIdColumnTheTableDoesNotHave() {
		LegacyTable table = new LegacyTable(jdbc, new MigrationProperties.Legacy(null, null, null, "old", "orders",
				new MigrationProperties.Columns("no_such_id", "medication", "sender", "states", "created", "changed"),
				ZoneId.of("UTC")), json);
		assertThatExceptionOfType(MigrationRefusedException.class).isThrownBy(() -> table.countUpTo("1"))
			.withMessage("The legacy table \"old\".\"orders\" has no column no_such_id");
	}

	@Test
	void namesEveryColumnTheTableDoesNotHave() {
		LegacyTable table = new LegacyTable(jdbc,
				new MigrationProperties.Legacy(null, null, null, "old", "orders", new MigrationProperties.Columns(
						"order_no", "medicationId", "sender", "states", "created", "updatedAt"), ZoneId.of("UTC")),
				json);
		assertThatExceptionOfType(MigrationRefusedException.class).isThrownBy(table::check)
			.withMessageStartingWith("The legacy table \"old\".\"orders\" has no column medicationId, updatedAt");
		prisma(ZoneId.of("UTC")).check();
	}

	@Test
	void refusesATimeColumnThatHoldsNoTime() {
		LegacyTable table = new LegacyTable(jdbc, new MigrationProperties.Legacy(null, null, null, "old", "orders",
				new MigrationProperties.Columns("order_no", "medication", "sender", "states", "sender", "changed"),
				ZoneId.of("UTC")), json);
		assertThatIllegalStateException().isThrownBy(() -> table.page(null, 1)).withMessageContaining("not a time");
	}

	private static LegacyTable prisma(ZoneId zone) {
		return new LegacyTable(jdbc,
				new MigrationProperties.Legacy(null, null, null, "public", "Order", new MigrationProperties.Columns(
						"id", "medicationId", "sender_userId", "status", "createdAt", "updatedAt"), zone),
				json);
	}

}
