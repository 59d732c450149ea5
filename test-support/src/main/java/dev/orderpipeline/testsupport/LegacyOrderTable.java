package dev.orderpipeline.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The legacy consumer's table of stored orders, built as Prisma builds it (the model
 * {@code Order}: text ids from {@code uuid()}, an enum array of statuses, times without a
 * zone to the millisecond), in a database of the test's own.
 */
public final class LegacyOrderTable {

	private static final String SCHEMA = "dev/orderpipeline/testsupport/legacy-order-table.sql";

	private final TestDatabase database;

	private LegacyOrderTable(TestDatabase database) {
		this.database = database;
	}

	/**
	 * Creates the table, empty.
	 * @param database the database to create it in
	 * @return the table
	 */
	public static LegacyOrderTable create(TestDatabase database) {
		try (InputStream schema = LegacyOrderTable.class.getClassLoader().getResourceAsStream(SCHEMA);
				Connection connection = database.connect();
				Statement statement = connection.createStatement()) {
			statement.execute(new String(schema.readAllBytes(), StandardCharsets.UTF_8));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (SQLException ex) {
			throw new IllegalStateException(ex);
		}
		return new LegacyOrderTable(database);
	}

	/**
	 * Adds rows as the legacy consumer stored them: row {@code i} (from 1) by sender
	 * {@code user-<i mod 1000>}, of medication {@code med-<i mod 50>}, every tenth
	 * {@code [PENDING, APPROVED]} and the others {@code [PENDING]}, created {@code i}
	 * seconds after 2024-01-01T00:00:00 and last changed then.
	 * @param rows how many
	 */
	public void fill(int rows) {
		execute("INSERT INTO \"Order\" (\"id\", \"medicationId\", \"sender_userId\", \"status\", \"createdAt\", "
				+ "\"updatedAt\") SELECT gen_random_uuid()::text, 'med-' || (i % 50), 'user-' || (i % 1000), "
				+ "CASE WHEN i % 10 = 0 THEN ARRAY['PENDING', 'APPROVED']::\"OrderStatus\"[] "
				+ "ELSE ARRAY['PENDING']::\"OrderStatus\"[] END, "
				+ "timestamp '2024-01-01 00:00:00' + i * interval '1 second', "
				+ "timestamp '2024-01-01 00:00:00' + i * interval '1 second' "
				+ "+ CASE WHEN i % 10 = 0 THEN interval '1 day' ELSE interval '0' END "
				+ "FROM generate_series(1, ?) AS i", rows);
	}

	/**
	 * Adds one row.
	 * @param id its id
	 * @param medicationId its medication
	 * @param sender its sender
	 * @return this table
	 */
	public LegacyOrderTable add(String id, String medicationId, String sender) {
		execute("INSERT INTO \"Order\" (\"id\", \"medicationId\", \"sender_userId\", \"updatedAt\") "
				+ "VALUES (?, ?, ?, CURRENT_TIMESTAMP)", id, medicationId, sender);
		return this;
	}

	private void execute(String sql, Object... parameters) {
		try (Connection connection = this.database.connect();
				PreparedStatement statement = connection.prepareStatement(sql)) {
			for (int i = 0; i < parameters.length; i++) {
				statement.setObject(i + 1, parameters[i]);
			}
			statement.executeUpdate();
		}
		catch (SQLException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
