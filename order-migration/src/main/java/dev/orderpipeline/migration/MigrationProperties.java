package dev.orderpipeline.migration;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The migration's settings ({@code orders.migration.*}, or {@code ORDERS_MIGRATION_*} in
 * the environment).
 *
 * @param intakeUrl order-source's base URL, where {@code POST /orders} takes streams
 * @param token the bearer token of the migrating identity (scopes {@code orders:write}
 * and {@code orders:migrate}); or
 * @param tokenFile a file holding it, read again for every stream (so that a token
 * renewed in the file is taken up)
 * @param legacy the legacy system's table
 * @param store the pipeline's database, where the reconciliation looks for each order
 * @param batchSize legacy rows per stream, at most order-source's
 * {@code orders.source.stream.max-lines}. Default 5000.
 * @param parallelStreams streams sent side by side, at most order-source's
 * {@code orders.source.stream.max-streams-per-caller}. Default 2.
 * @param checkpoint where the id of the last row of the last batch fully answered is
 * kept; a migration started again goes on after it. Default
 * {@code order-migration.checkpoint}.
 * @param rejects where rows the pipeline refused are written (one JSON line each, with
 * the row's id and the problem). Default {@code order-migration.rejects.ndjson}.
 * @param maxAttempts attempts of a batch that makes no progress (order-source out of
 * reach, or answering 503) before the migration stops. Default 10.
 * @param requestTimeout the longest a stream may take to be answered. Default 5 minutes.
 * @param verifyTimeout how long the reconciliation waits for accepted orders to be stored
 * before it reports them missing. Default 2 minutes.
 */
@ConfigurationProperties("orders.migration")
public record MigrationProperties(URI intakeUrl, String token, Path tokenFile, @DefaultValue Legacy legacy,
		@DefaultValue Database store, @DefaultValue("5000") int batchSize, @DefaultValue("2") int parallelStreams,
		@DefaultValue("order-migration.checkpoint") Path checkpoint,
		@DefaultValue("order-migration.rejects.ndjson") Path rejects, @DefaultValue("10") int maxAttempts,
		@DefaultValue("5m") Duration requestTimeout, @DefaultValue("2m") Duration verifyTimeout) {

	/**
	 * The legacy table, by default as Prisma creates the model {@code Order} of the
	 * legacy consumer ({@code db.order}).
	 *
	 * @param url its database's JDBC URL ({@code jdbc:postgresql://host:5432/legacy})
	 * @param username the database user
	 * @param password the user's password
	 * @param schema the table's schema. Default {@code public}.
	 * @param table the table. Default {@code Order}.
	 * @param columns the columns
	 * @param timeZone the zone of times stored without one ({@code timestamp} columns, as
	 * Prisma makes them, which Prisma writes in UTC). Default {@code UTC}.
	 */
	public record Legacy(String url, String username, String password, @DefaultValue("public") String schema,
			@DefaultValue("Order") String table, @DefaultValue Columns columns, @DefaultValue("UTC") ZoneId timeZone) {

		/**
		 * The table's name, quoted, with its schema.
		 * @return the name for SQL
		 */
		String qualifiedTable() {
			return quote(this.schema) + "." + quote(this.table);
		}

		static String quote(String identifier) {
			return "\"" + identifier.replace("\"", "\"\"") + "\"";
		}

	}

	/**
	 * The legacy table's columns.
	 *
	 * @param id the row's id, unique and ordered (integers, UUIDs or text such as cuid).
	 * Default {@code id}.
	 * @param medicationId the medication. Default {@code medicationId}.
	 * @param senderUserId the sender. Default {@code sender_userId}.
	 * @param status the status list: an array (of text or of an enum) or JSON. Default
	 * {@code status}.
	 * @param createdAt when the row was created. Default {@code createdAt}.
	 * @param updatedAt when it last changed. Default {@code updatedAt}.
	 */
	public record Columns(@DefaultValue("id") String id, @DefaultValue("medicationId") String medicationId,
			@DefaultValue("sender_userId") String senderUserId, @DefaultValue("status") String status,
			@DefaultValue("createdAt") String createdAt, @DefaultValue("updatedAt") String updatedAt) {

	}

	/**
	 * A database to connect to.
	 *
	 * @param url its JDBC URL
	 * @param username the database user
	 * @param password the user's password
	 */
	public record Database(String url, String username, String password) {

	}

}
