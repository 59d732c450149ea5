package dev.orderpipeline.migration;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.ExitCodeGenerator;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Component;

/**
 * {@code migrate} (the default) or {@code verify}, from the command line.
 */
@Component
class MigrationCommand implements ApplicationRunner, ExitCodeGenerator {

	/** Every legacy row is stored or was refused for what it holds. */
	static final int MATCHED = 0;

	/** Rows are missing, or a batch made no progress. */
	static final int INCOMPLETE = 1;

	/**
	 * The migration could not run or go on: a setting, a database, the token, its scopes,
	 * a file it keeps, an unexpected failure (logged).
	 */
	static final int REFUSED = 2;

	private static final Log logger = LogFactory.getLog(MigrationCommand.class);

	private final ObjectProvider<Migration> migration;

	private final ObjectProvider<Reconciliation> reconciliation;

	private int exitCode = REFUSED;

	MigrationCommand(ObjectProvider<Migration> migration, ObjectProvider<Reconciliation> reconciliation) {
		this.migration = migration;
		this.reconciliation = reconciliation;
	}

	@Override
	public void run(ApplicationArguments arguments) {
		List<String> commands = arguments.getNonOptionArgs();
		String command = commands.isEmpty() ? "migrate" : commands.get(0);
		if (commands.size() > 1 || !List.of("migrate", "verify").contains(command)) {
			logger.error("Usage: order-migration [migrate|verify] [--orders.migration.<setting>=<value> ...]");
			return;
		}
		try {
			this.exitCode = command.equals("migrate") ? migrate() : (verify().matches() ? MATCHED : INCOMPLETE);
		}
		catch (RuntimeException ex) {
			this.exitCode = failed(ex);
		}
	}

	private int migrate() {
		Migration migration = this.migration.getObject();
		Reconciliation reconciliation = this.reconciliation.getObject();
		// The store is read at the end: a wrong setting is told first.
		reconciliation.checkStore();
		migration.run();
		Reconciliation.Report report = reconciliation.run();
		List<String> again = new ArrayList<>(report.missing());
		again.addAll(report.refused());
		if (!again.isEmpty()) {
			// Lost on the way, behind the checkpoint, or refused and
			// perhaps mended since: each sent once more.
			migration.resend(again);
			report = reconciliation.run();
		}
		return report.matches() ? MATCHED : INCOMPLETE;
	}

	private Reconciliation.Report verify() {
		return this.reconciliation.getObject().run();
	}

	/** The exit status of a failure, told in one line where it is one of ours. */
	private static int failed(RuntimeException ex) {
		for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
			if (cause instanceof MigrationRefusedException) {
				logger.error(cause.getMessage());
				return REFUSED;
			}
			if (cause instanceof IntakeUnavailableException) {
				logger.error(cause.getMessage() + "; run the migration again to go on after the last checkpoint");
				return INCOMPLETE;
			}
		}
		for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
			if (cause instanceof SQLException || cause instanceof DataAccessException) {
				logger
					.error("A database could not be read: " + NestedExceptionUtils.getMostSpecificCause(ex).getMessage()
							+ "; run the command again once it can be");
				return REFUSED;
			}
		}
		logger.error("The migration stopped on an unexpected failure", ex);
		return REFUSED;
	}

	@Override
	public int getExitCode() {
		return this.exitCode;
	}

}
