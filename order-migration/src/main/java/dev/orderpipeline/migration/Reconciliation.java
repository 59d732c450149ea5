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
 * yet: the missing are looked for again until none is left or the wait is over.
 */
class Reconciliation {

	private static final Log logger = LogFactory.getLog(Reconciliation.class);

	private static final int PAGE = 10_000;

	private static final String STORED = "SELECT order_id FROM orders WHERE order_id = ANY(CAST(? AS uuid[]))";

	private final LegacyTable table;

	private final JdbcClient store;

	private final Rejects rejects;

	private final Duration wait;

	private final Migration.Sleeper sleeper;

	Reconciliation(LegacyTable table, JdbcClient store, Rejects rejects, Duration wait, Migration.Sleeper sleeper) {
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
		long legacyRows = this.table.count();
		Set<String> rejected = this.rejects.ids();
		long stored = 0;
		List<String> notStored = new ArrayList<>();
		String lastId = null;
		List<String> ids;
		while (!(ids = this.table.ids(lastId, PAGE)).isEmpty()) {
			List<String> missing = missing(ids);
			stored += ids.size() - missing.size();
			notStored.addAll(missing);
			lastId = ids.get(ids.size() - 1);
		}
		long deadline = System.nanoTime() + this.wait.toNanos();
		List<String> unexplained = notStored.stream().filter((id) -> !rejected.contains(id)).toList();
		while (!unexplained.isEmpty() && System.nanoTime() < deadline) {
			logger.info(unexplained.size() + " accepted rows not stored yet; looking again");
			this.sleeper.sleep(Duration.ofSeconds(1));
			List<String> still = new ArrayList<>();
			for (int from = 0; from < unexplained.size(); from += PAGE) {
				still.addAll(missing(unexplained.subList(from, Math.min(unexplained.size(), from + PAGE))));
			}
			stored += unexplained.size() - still.size();
			unexplained = still;
		}
		Report report = new Report(legacyRows, stored, notStored.size() - unexplained.size(), unexplained);
		report.log(this.rejects);
		return report;
	}

	private List<String> missing(List<String> rowIds) {
		String[] orderIds = rowIds.stream().map((id) -> NewOrder.idForLegacyRow(id).toString()).toArray(String[]::new);
		Set<UUID> found = new HashSet<>(this.store.sql(STORED).param(orderIds).query(UUID.class).list());
		return rowIds.stream().filter((id) -> !found.contains(NewOrder.idForLegacyRow(id))).toList();
	}

	/**
	 * The counts of a reconciliation.
	 *
	 * @param legacyRows rows in the legacy table
	 * @param stored of those, stored in the pipeline
	 * @param rejected of those, not stored because order-source refused them (see the
	 * rejects)
	 * @param missing the ids of the others: neither stored nor refused
	 */
	record Report(long legacyRows, long stored, long rejected, List<String> missing) {

		boolean matches() {
			return this.missing.isEmpty() && this.stored + this.rejected == this.legacyRows;
		}

		void log(Rejects rejects) {
			String counts = "Reconciliation: " + this.legacyRows + " legacy rows, " + this.stored + " stored, "
					+ this.rejected + " rejected, " + this.missing.size() + " missing";
			if (matches()) {
				logger.info(counts + ": the counts match"
						+ ((this.rejected > 0) ? " (the rejected rows are in " + rejects.file() + ")" : ""));
			}
			else {
				logger.error(counts + ": the counts do not match; missing ids (first 20): "
						+ this.missing.subList(0, Math.min(20, this.missing.size())));
			}
		}

	}

}
