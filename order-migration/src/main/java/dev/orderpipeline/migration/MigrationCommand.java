package dev.orderpipeline.migration;

import java.sql.SQLException;
import java.util.List;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.ExitCodeGenerator;
import org.springframework.core.NestedExceptionUtils;
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

	/** The migration could not run: a setting, a database, the token, its scopes. */
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
			if (command.equals("migrate")) {
				this.migration.getObject().run();
			}
			this.exitCode = this.reconciliation.getObject().run().matches() ? MATCHED : INCOMPLETE;
		}
		catch (RuntimeException ex) {
			Throwable cause = NestedExceptionUtils.getMostSpecificCause(ex);
			if (cause instanceof MigrationRefusedException) {
				logger.error(cause.getMessage());
				this.exitCode = REFUSED;
			}
			else if (cause instanceof SQLException) {
				logger.error("A database could not be read: " + cause.getMessage());
				this.exitCode = REFUSED;
			}
			else if (cause instanceof IntakeUnavailableException) {
				logger.error(cause.getMessage() + "; run the migration again to go on after the last checkpoint");
				this.exitCode = INCOMPLETE;
			}
			else {
				throw ex;
			}
		}
	}

	@Override
	public int getExitCode() {
		return this.exitCode;
	}

}
