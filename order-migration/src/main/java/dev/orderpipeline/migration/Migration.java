package dev.orderpipeline.migration;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import tools.jackson.databind.JsonNode;

/**
 * Migrates the legacy table a batch at a time, in the order of its ids: each batch is one
 * stream to order-source, a few side by side; rows it asks to send again (rate limit,
 * broker unavailable) are sent again until every row of the batch is accepted or refused
 * for what it holds; then, once every batch before it is too, the batch's last id is
 * checkpointed. Killed at any point, the migration started again goes on after the last
 * checkpoint: the batch in flight is sent again, and its rows name the same orders, which
 * are stored once.
 */
class Migration {

	private static final Log logger = LogFactory.getLog(Migration.class);

	private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

	/**
	 * A batch of at least this many rows, every one refused, stops the migration: the
	 * settings name the wrong columns, most likely.
	 */
	private static final int WHOLE_BATCH_REFUSED = 100;

	private final LegacyTable table;

	private final IntakeClient intake;

	private final Checkpoint checkpoint;

	private final Rejects rejects;

	private final int batchSize;

	private final int parallelStreams;

	private final int maxAttempts;

	private final Sleeper sleeper;

	Migration(LegacyTable table, IntakeClient intake, Checkpoint checkpoint, Rejects rejects, int batchSize,
			int parallelStreams, int maxAttempts, Sleeper sleeper) {
		this.table = table;
		this.intake = intake;
		this.checkpoint = checkpoint;
		this.rejects = rejects;
		this.batchSize = batchSize;
		this.parallelStreams = parallelStreams;
		this.maxAttempts = maxAttempts;
		this.sleeper = sleeper;
	}

	/**
	 * Migrates every row after the checkpoint.
	 * @return what this run did
	 * @throws MigrationRefusedException when order-source refuses the migration itself
	 * @throws IntakeUnavailableException when a batch made no progress in
	 * {@code max-attempts} attempts
	 */
	Summary run() {
		this.table.check();
		String lastId = this.checkpoint.lastId();
		long total = this.table.count();
		long before = (lastId != null) ? this.table.countUpTo(lastId) : 0;
		if (lastId != null) {
			logger.info("Resuming the migration of " + this.table.name() + " after id " + lastId + ": " + before
					+ " of " + total + " rows done before");
		}
		else {
			logger.info("Migrating " + total + " rows of " + this.table.name());
		}
		Progress progress = new Progress(total, before);
		ExecutorService streams = Executors.newFixedThreadPool(this.parallelStreams);
		try {
			// Batches are sent side by side but checkpointed in their order: a batch's
			// last id is saved only once it and every batch before it are answered.
			Deque<Sent> sent = new ArrayDeque<>();
			List<LegacyRow> rows;
			while (!(rows = this.table.page(lastId, this.batchSize)).isEmpty()) {
				List<LegacyRow> batch = rows;
				lastId = rows.get(rows.size() - 1).id();
				sent.add(new Sent(streams.submit(() -> migrate(batch)), rows.size(), lastId));
				if (sent.size() >= this.parallelStreams) {
					progress.done(sent.poll());
				}
			}
			while (!sent.isEmpty()) {
				progress.done(sent.poll());
			}
		}
		finally {
			streams.shutdownNow();
		}
		logger.info("Every row of " + this.table.name() + " was sent: " + progress.accepted + " accepted and "
				+ progress.rejected + " rejected this run"
				+ ((progress.rejected > 0) ? " (see " + this.rejects.file() + ")" : ""));
		return new Summary(progress.read, progress.accepted, progress.rejected);
	}

	/**
	 * Sends rows again by their ids: rows the reconciliation found missing (dead-lettered
	 * on their way, or added to the table behind the checkpoint).
	 * @param ids the rows' ids
	 * @return what became of them
	 */
	Summary resend(List<String> ids) {
		logger.info("Sending " + ids.size() + " rows of " + this.table.name() + " again");
		long read = 0;
		long accepted = 0;
		long rejected = 0;
		for (int from = 0; from < ids.size(); from += this.batchSize) {
			List<LegacyRow> rows = this.table.rows(ids.subList(from, Math.min(ids.size(), from + this.batchSize)));
			if (rows.isEmpty()) {
				continue;
			}
			Batch batch = migrate(rows);
			this.rejects.addAll(batch.rejected());
			read += rows.size();
			accepted += batch.accepted();
			rejected += batch.rejected().size();
		}
		logger.info("Sent " + read + " rows again: " + accepted + " accepted, " + rejected + " rejected");
		return new Summary(read, accepted, rejected);
	}

	private Batch migrate(List<LegacyRow> rows) {
		List<LegacyRow> pending = rows;
		List<Rejects.Rejected> rejected = new ArrayList<>();
		long accepted = 0;
		int fruitless = 0;
		while (!pending.isEmpty()) {
			List<IntakeClient.Outcome> outcomes;
			try {
				outcomes = this.intake.send(pending);
			}
			catch (IntakeUnavailableException ex) {
				fruitless++;
				if (fruitless >= this.maxAttempts) {
					throw ex;
				}
				Duration wait = (ex.getRetryAfter() != null) ? ex.getRetryAfter() : backoff(fruitless);
				logger.warn(ex.getMessage() + "; sending the batch again in " + wait.toSeconds() + " s (attempt "
						+ (fruitless + 1) + " of " + this.maxAttempts + ")");
				this.sleeper.sleep(wait);
				continue;
			}
			List<LegacyRow> again = new ArrayList<>();
			Duration wait = Duration.ZERO;
			JsonNode lastProblem = null;
			long acceptedNow = 0;
			for (int i = 0; i < pending.size(); i++) {
				IntakeClient.Outcome outcome = outcomes.get(i);
				switch (outcome.kind()) {
					case ACCEPTED -> acceptedNow++;
					case REJECTED -> rejected.add(new Rejects.Rejected(pending.get(i).id(), outcome.problem()));
					case RETRY -> {
						again.add(pending.get(i));
						lastProblem = outcome.problem();
						wait = (outcome.retryAfter().compareTo(wait) > 0) ? outcome.retryAfter() : wait;
					}
				}
			}
			accepted += acceptedNow;
			// Rows asked to wait while others went through are pacing (the rate limit);
			// a round where none went through counts as an attempt.
			fruitless = (acceptedNow > 0 || again.size() < pending.size()) ? 0 : fruitless + 1;
			if (!again.isEmpty()) {
				if (fruitless >= this.maxAttempts) {
					throw new IntakeUnavailableException("order-source accepted none of " + again.size() + " rows in "
							+ fruitless + " attempts; last answer: " + lastProblem, null, null);
				}
				this.sleeper.sleep(wait);
			}
			pending = again;
		}
		return new Batch(accepted, rejected);
	}

	private static Duration backoff(int attempt) {
		Duration wait = Duration.ofSeconds(1L << Math.min(attempt - 1, 5));
		return (wait.compareTo(MAX_BACKOFF) > 0) ? MAX_BACKOFF : wait;
	}

	private record Batch(long accepted, List<Rejects.Rejected> rejected) {

	}

	/** A batch sent, its rows and its last id. */
	private record Sent(Future<Batch> batch, int rows, String lastId) {

	}

	/** The run's counts, and what to do once a batch is answered. */
	private final class Progress {

		private final long total;

		private final long before;

		private final long started = System.nanoTime();

		private long read;

		private long accepted;

		private long rejected;

		Progress(long total, long before) {
			this.total = total;
			this.before = before;
		}

		void done(Sent sent) {
			Batch batch = answered(sent.batch());
			Migration.this.rejects.addAll(batch.rejected());
			if (sent.rows() >= WHOLE_BATCH_REFUSED && batch.rejected().size() == sent.rows()) {
				throw new MigrationRefusedException("order-source refused every one of the " + sent.rows()
						+ " rows of a batch, the first for: " + batch.rejected().get(0).problem().path("detail")
						+ ". Check the table and column settings; the rows are in " + Migration.this.rejects.file());
			}
			Migration.this.checkpoint.save(sent.lastId());
			this.read += sent.rows();
			this.accepted += batch.accepted();
			this.rejected += batch.rejected().size();
			double seconds = Math.max(1e-3, (System.nanoTime() - this.started) / 1e9);
			long done = this.before + this.read;
			logger.info(String.format(
					"Migrated %d of %d rows (%.1f %%): %d accepted, %d rejected this run, " + "%.0f rows/s, last id %s",
					done, this.total, (this.total > 0) ? 100.0 * done / this.total : 100.0, this.accepted,
					this.rejected, this.read / seconds, sent.lastId()));
		}

		private static Batch answered(Future<Batch> batch) {
			try {
				return batch.get();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IntakeUnavailableException("Interrupted", null, ex);
			}
			catch (ExecutionException ex) {
				if (ex.getCause() instanceof RuntimeException failure) {
					throw failure;
				}
				throw new IllegalStateException(ex.getCause());
			}
		}

	}

	/**
	 * What a run did.
	 *
	 * @param read rows read and sent
	 * @param accepted rows order-source accepted
	 * @param rejected rows it refused for what they hold
	 */
	record Summary(long read, long accepted, long rejected) {

	}

}
