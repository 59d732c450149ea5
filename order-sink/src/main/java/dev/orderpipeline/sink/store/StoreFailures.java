package dev.orderpipeline.sink.store;

import io.r2dbc.spi.R2dbcException;

/**
 * Tells a failure that concerns one order (the database refused its data: SQLState class
 * 22, data exception, or 23, integrity constraint violation) from one that concerns the
 * pipeline (connections, resources, timeouts, everything else), which is retried for as
 * long as it lasts and never dead-letters an order.
 */
public final class StoreFailures {

	private StoreFailures() {
	}

	/**
	 * Whether a failure is the order's own and will recur on every attempt.
	 * @param failure the failure
	 * @return {@code true} for data and integrity errors
	 */
	public static boolean isPermanent(Throwable failure) {
		R2dbcException database = databaseCause(failure);
		String sqlState = (database != null) ? database.getSqlState() : null;
		return sqlState != null && (sqlState.startsWith("22") || sqlState.startsWith("23"));
	}

	/**
	 * A description of a failure without the data it concerns.
	 * @param failure the failure
	 * @return the SQLState and the database's message, or the failure's type
	 */
	public static String describe(Throwable failure) {
		R2dbcException database = databaseCause(failure);
		if (database != null && database.getSqlState() != null) {
			return "SQLState " + database.getSqlState() + ": " + database.getMessage();
		}
		return failure.getClass().getName() + ": " + failure.getMessage();
	}

	private static R2dbcException databaseCause(Throwable failure) {
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			if (cause instanceof R2dbcException r2dbc) {
				return r2dbc;
			}
		}
		return null;
	}

}
