package dev.orderpipeline.migration;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import dev.orderpipeline.contracts.NewOrder;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Reconciles the legacy table against the pipeline's store, row by row: every legacy row
 * is either stored, under the id its row id determines, or was refused for what it holds
 * (in the rejects); any other is missing. Orders accepted moments ago may not be stored
 * yet: the missing are looked for again until none is left, none has arrived for
 * {@value #IDLE_LOOKS} looks, or the wait is over.
 */
class Reconciliation {

	private static final Log logger = LogFactory.getLog(Reconciliation.class);

	private static final int PAGE = 10_000;

	/** Looks in a row that find nothing new: nothing is on its way any more. */
	private static final int IDLE_LOOKS = 10;

	private static final String STORED = "SELECT order_id FROM orders WHERE order_id = ANY(CAST(? AS uuid[]))";

	private final LegacyTable table;

	private final JdbcClient store;

	private final Rejects rejects;

	private final Duration wait;

	private final Sleeper sleeper;

	Reconciliation(LegacyTable table, JdbcClient store, Rejects rejects, Duration wait, Sleeper sleeper) {
		this.table = table;
		this.store = store;
		this.rejects = rejects;
		this.wait = wait;
		this.sleeper = sleeper;
	}

	/**
	 * Reconciles, and reports.
	 * @return the counts
	 */
	Report run() {
		this.table.check();
		Set<String> refusedIds = this.rejects.ids();
		long legacyRows = 0;
		long stored = 0;
		List<String> refused = new ArrayList<>();
		List<String> unexplained = new ArrayList<>();
		String lastId = null;
		List<String> ids;
		while (!(ids = this.table.ids(lastId, PAGE)).isEmpty()) {
			legacyRows += ids.size();
			List<String> missing = missing(ids);
			stored += ids.size() - missing.size();
			for (String id : missing) {
				if (refusedIds.contains(id)) {
					refused.add(id);
				}
				else {
					unexplained.add(id);
				}
			}
			lastId = ids.get(ids.size() - 1);
		}
		// Orders accepted moments ago are stored moments later: looked for again while
		// they keep arriving, up to the wait.
		long deadline = System.nanoTime() + this.wait.toNanos();
		int idle = 0;
		while (!unexplained.isEmpty() && System.nanoTime() < deadline && idle < IDLE_LOOKS) {
			logger.info(unexplained.size() + " legacy rows not stored yet; looking again");
			this.sleeper.sleep(Duration.ofSeconds(1));
			List<String> still = new ArrayList<>();
			for (int from = 0; from < unexplained.size(); from += PAGE) {
				still.addAll(missing(unexplained.subList(from, Math.min(unexplained.size(), from + PAGE))));
			}
			int found = unexplained.size() - still.size();
			stored += found;
			idle = (found > 0) ? 0 : idle + 1;
			unexplained = still;
		}
		Report report = new Report(legacyRows, stored, refused, unexplained);
		report.log(this.rejects);
		return report;
	}

	/**
	 * Checks that the store can be read, before anything is migrated into it.
	 */
	void checkStore() {
		this.store.sql("SELECT order_id FROM orders LIMIT 0").query(UUID.class).list();
	}

	private List<String> missing(List<String> rowIds) {
		List<UUID> orderIds = rowIds.stream().map(NewOrder::idForLegacyRow).toList();
		Set<UUID> found = new HashSet<>(this.store.sql(STORED)
			.param(orderIds.stream().map(UUID::toString).toArray(String[]::new))
			.query(UUID.class)
			.list());
		List<String> missing = new ArrayList<>();
		for (int i = 0; i < rowIds.size(); i++) {
			if (!found.contains(orderIds.get(i))) {
				missing.add(rowIds.get(i));
			}
		}
		return missing;
	}

	/**
	 * The counts of a reconciliation.
	 *
	 * @param legacyRows rows in the legacy table
	 * @param stored of those, stored in the pipeline
	 * @param refused the ids of those not stored because order-source refused them (see
	 * the rejects)
	 * @param missing the ids of the others: neither stored nor refused
	 */
	record Report(long legacyRows, long stored, List<String> refused, List<String> missing) {

		/**
		 * How many rows are not stored because order-source refused them.
		 * @return the count
		 */
		long rejected() {
			return this.refused.size();
		}

		boolean matches() {
			return this.missing.isEmpty();
		}

		void log(Rejects rejects) {
			String counts = "Reconciliation: " + this.legacyRows + " legacy rows, " + this.stored + " stored, "
					+ rejected() + " rejected, " + this.missing.size() + " missing";
			if (matches()) {
				logger.info(counts + ": the counts match"
						+ ((rejected() > 0) ? " (the rejected rows are in " + rejects.file() + ")" : ""));
			}
			else {
				logger.error(counts + ": the counts do not match; missing ids (first 20): "
						+ this.missing.subList(0, Math.min(20, this.missing.size())));
			}
		}

	}

}
