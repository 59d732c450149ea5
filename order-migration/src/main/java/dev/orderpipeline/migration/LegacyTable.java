package dev.orderpipeline.migration;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

import org.postgresql.util.PGobject;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Reads the legacy table in the order of its ids, a page at a time after the last id read
 * (keyset pagination: each page costs the same however far into the table).
 */
class LegacyTable {

	private final JdbcClient jdbc;

	private final String table;

	private final String id;

	private final String idName;

	private final List<String> columnNames;

	private final String columns;

	private final ZoneId timeZone;

	private final JsonMapper json;

	private String idType;

	LegacyTable(JdbcClient jdbc, MigrationProperties.Legacy legacy, JsonMapper json) {
		this.jdbc = jdbc;
		this.table = legacy.qualifiedTable();
		MigrationProperties.Columns names = legacy.columns();
		this.idName = names.id();
		this.columnNames = List.of(names.id(), names.medicationId(), names.senderUserId(), names.status(),
				names.createdAt(), names.updatedAt());
		this.id = MigrationProperties.Legacy.quote(names.id());
		this.columns = String.join(
				", ", List
					.of(names.id(), names.medicationId(), names.senderUserId(), names.status(), names.createdAt(),
							names.updatedAt())
					.stream()
					.map(MigrationProperties.Legacy::quote)
					.toList());
		this.timeZone = legacy.timeZone();
		this.json = json;
	}

	/**
	 * The table's name, for messages.
	 * @return its quoted, qualified name
	 */
	String name() {
		return this.table;
	}

	/**
	 * Checks that the table has every column the settings name.
	 * @throws MigrationRefusedException naming those it has not
	 */
	void check() {
		List<String> present = this.jdbc
			.sql("SELECT attname FROM pg_attribute WHERE attrelid = CAST(? AS regclass) AND attnum > 0 "
					+ "AND NOT attisdropped")
			.param(this.table)
			.query(String.class)
			.list();
		List<String> missing = this.columnNames.stream().filter((name) -> !present.contains(name)).toList();
		if (!missing.isEmpty()) {
			throw new MigrationRefusedException("The legacy table " + this.table + " has no column "
					+ String.join(", ", missing) + " (orders.migration.legacy.columns.*)");
		}
	}

	/**
	 * Counts the rows.
	 * @return every row
	 */
	long count() {
		return this.jdbc.sql("SELECT count(*) FROM " + this.table).query(Long.class).single();
	}

	/**
	 * Counts the rows up to an id.
	 * @param lastId the id, included
	 * @return the rows with that id or before it
	 */
	long countUpTo(String lastId) {
		return this.jdbc.sql("SELECT count(*) FROM " + this.table + " WHERE " + this.id + " <= " + idParameter())
			.param(lastId)
			.query(Long.class)
			.single();
	}

	/**
	 * Reads the rows after an id.
	 * @param afterId the last id read, or {@code null} from the first row
	 * @param size the most rows
	 * @return the rows, in the order of their ids
	 */
	List<LegacyRow> page(String afterId, int size) {
		return pageQuery(this.columns, afterId, size).query(this::row).list();
	}

	/**
	 * Reads the ids after an id.
	 * @param afterId the last id read, or {@code null} from the first row
	 * @param size the most ids
	 * @return the ids, as text, in their order
	 */
	List<String> ids(String afterId, int size) {
		return pageQuery(this.id, afterId, size).query((rs, row) -> rs.getString(1)).list();
	}

	/**
	 * Reads rows by their ids.
	 * @param ids the ids, as text
	 * @return the rows that have them, in the order of their ids
	 */
	List<LegacyRow> rows(List<String> ids) {
		return this.jdbc
			.sql("SELECT " + this.columns + " FROM " + this.table + " WHERE " + this.id + " = ANY(CAST(? AS " + idType()
					+ "[])) ORDER BY " + this.id)
			.param(ids.toArray(String[]::new))
			.query(this::row)
			.list();
	}

	private JdbcClient.StatementSpec pageQuery(String select, String afterId, int size) {
		StringBuilder sql = new StringBuilder("SELECT ").append(select).append(" FROM ").append(this.table);
		if (afterId != null) {
			sql.append(" WHERE ").append(this.id).append(" > ").append(idParameter());
		}
		sql.append(" ORDER BY ").append(this.id).append(" LIMIT ?");
		JdbcClient.StatementSpec statement = this.jdbc.sql(sql.toString());
		if (afterId != null) {
			statement = statement.param(afterId);
		}
		return statement.param(size);
	}

	/**
	 * An id given as text, as the id column's own type: keyset comparisons then use the
	 * column's order (numbers as numbers) and its index.
	 */
	private String idParameter() {
		return "CAST(? AS " + idType() + ")";
	}

	/** The id column's type as SQL writes it (integer, text, uuid, ...). */
	private String idType() {
		if (this.idType == null) {
			this.idType = this.jdbc
				.sql("SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
						+ "WHERE attrelid = CAST(? AS regclass) AND attname = ? AND NOT attisdropped")
				.param(this.table)
				.param(this.idName)
				.query(String.class)
				.optional()
				.orElseThrow(() -> new MigrationRefusedException(
						"The legacy table " + this.table + " has no column " + this.idName));
		}
		return this.idType;
	}

	private LegacyRow row(ResultSet rs, int row) throws SQLException {
		ResultSetMetaData meta = rs.getMetaData();
		return new LegacyRow(rs.getString(1), rs.getString(2), rs.getString(3), status(rs.getObject(4)),
				time(rs, 5, meta), time(rs, 6, meta));
	}

	private Instant time(ResultSet rs, int column, ResultSetMetaData meta) throws SQLException {
		String type = meta.getColumnTypeName(column);
		if ("timestamptz".equals(type)) {
			OffsetDateTime time = rs.getObject(column, OffsetDateTime.class);
			return (time != null) ? time.toInstant() : null;
		}
		if ("timestamp".equals(type)) {
			LocalDateTime time = rs.getObject(column, LocalDateTime.class);
			return (time != null) ? time.atZone(this.timeZone).toInstant() : null;
		}
		throw new IllegalStateException("Column " + meta.getColumnName(column) + " of " + this.table + " is " + type
				+ ", not a time (timestamp or timestamptz)");
	}

	private List<String> status(Object value) throws SQLException {
		if (value == null) {
			return null;
		}
		if (value instanceof Array array) {
			return Arrays.stream((Object[]) array.getArray()).map((entry) -> Objects.toString(entry, null)).toList();
		}
		String text = (value instanceof PGobject object) ? object.getValue() : value.toString();
		List<String> entries = jsonArray(text);
		// Neither an array nor JSON's: the text as one entry, for order-source to refuse.
		return (entries != null) ? entries : List.of(text);
	}

	private List<String> jsonArray(String text) {
		JsonNode node;
		try {
			node = this.json.readTree(text);
		}
		catch (JacksonException ex) {
			return null;
		}
		if (!node.isArray()) {
			return null;
		}
		List<String> entries = new ArrayList<>();
		node.forEach((entry) -> entries.add(entry.isString() ? entry.stringValue() : entry.toString()));
		return entries;
	}

}
