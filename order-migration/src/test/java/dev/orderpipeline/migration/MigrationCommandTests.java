package dev.orderpipeline.migration;

import java.sql.SQLException;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mockito.InOrder;

import org.springframework.beans.factory.BeanCreationException;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.DefaultApplicationArguments;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.web.client.ResourceAccessException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.BDDMockito.given;
import static org.mockito.BDDMockito.willThrow;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;

/**
 * The command's exit status: what each outcome and each failure ends with.
 */
class MigrationCommandTests {

	private static final Reconciliation.Report MATCHING = new Reconciliation.Report(3, 3, List.of(), List.of());

	private final Migration migration = mock(Migration.class);

	private final Reconciliation reconciliation = mock(Reconciliation.class);

	private MigrationCommand command;

	@BeforeEach
	@SuppressWarnings("unchecked")
	void command() {
		ObjectProvider<Migration> migrations = mock(ObjectProvider.class);
		ObjectProvider<Reconciliation> reconciliations = mock(ObjectProvider.class);
		given(migrations.getObject()).willReturn(this.migration);
		given(reconciliations.getObject()).willReturn(this.reconciliation);
		this.command = new MigrationCommand(migrations, reconciliations);
	}

	@Test
	void migratesSendsTheMissingAndRefusedRowsAgainOnceAndExitsZeroWhenTheCountsThenMatch() {
		given(this.reconciliation.run()).willReturn(new Reconciliation.Report(3, 1, List.of("y"), List.of("x")),
				MATCHING);
		assertThat(run()).isEqualTo(MigrationCommand.MATCHED);
		InOrder order = inOrder(this.reconciliation, this.migration);
		order.verify(this.reconciliation).checkStore();
		order.verify(this.migration).run();
		order.verify(this.migration).resend(List.of("x", "y"));
	}

	@Test
	void rowsStillMissingAfterTheyWereSentAgainExitOne() {
		given(this.reconciliation.run()).willReturn(new Reconciliation.Report(3, 2, List.of(), List.of("x")));
		assertThat(run()).isEqualTo(MigrationCommand.INCOMPLETE);
	}

	@Test
	void verifyOnlyReconciles() {
		given(this.reconciliation.run()).willReturn(new Reconciliation.Report(3, 2, List.of(), List.of("x")));
		assertThat(run("verify")).isEqualTo(MigrationCommand.INCOMPLETE);
		verify(this.migration, never()).run();
		verify(this.migration, never()).resend(List.of("x"));
	}

	@Test
	void anOrderSourceOutOfReachExitsOneToBeRunAgain() {
		willThrow(new IntakeUnavailableException("order-source could not be reached", null,
				new ResourceAccessException("refused")))
			.given(this.migration)
			.run();
		assertThat(run()).isEqualTo(MigrationCommand.INCOMPLETE);
	}

	@Test
	void aRefusalOrADatabaseOutOfReachExitsTwoWhereverItIsInTheCauses() {
		willThrow(new BeanCreationException("migration", new MigrationRefusedException("Set orders.migration.x")))
			.given(this.migration)
			.run();
		assertThat(run()).isEqualTo(MigrationCommand.REFUSED);
		given(this.reconciliation.run())
			.willThrow(new CannotGetJdbcConnectionException("no connection", new SQLException("refused")));
		assertThat(run("verify")).isEqualTo(MigrationCommand.REFUSED);
	}

	@Test
	void anUnexpectedFailureExitsTwo() {
		willThrow(new IllegalStateException("a bug")).given(this.migration).run();
		assertThat(run()).isEqualTo(MigrationCommand.REFUSED);
	}

	@Test
	void aStoreThatCannotBeReadStopsTheMigrationBeforeItSendsAnything() {
		willThrow(new CannotGetJdbcConnectionException("no connection", new SQLException("refused")))
			.given(this.reconciliation)
			.checkStore();
		assertThat(run()).isEqualTo(MigrationCommand.REFUSED);
		verify(this.migration, never()).run();
	}

	@Test
	void anUnknownCommandExitsTwo() {
		assertThat(run("frobnicate")).isEqualTo(MigrationCommand.REFUSED);
	}

	private int run(String... arguments) {
		this.command.run(new DefaultApplicationArguments(arguments));
		return this.command.getExitCode();
	}

}
