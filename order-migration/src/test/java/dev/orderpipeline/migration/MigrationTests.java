package dev.orderpipeline.migration;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.stream.IntStream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.ArgumentMatchers.isNull;
import static org.mockito.BDDMockito.given;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;

/**
 * The migration's batches, retries, rejects and checkpoints, with the legacy table and
 * order-source stood in for.
 */
class MigrationTests {

	private static final JsonMapper json = JsonMapper.builder().build();

	private static final JsonNode RATE_LIMITED = json.readTree("{\"status\":429}");

	private static final JsonNode INVALID = json.readTree("{\"status\":400,\"detail\":\"sender_userId is required\"}");

	private final LegacyTable table = mock(LegacyTable.class);

	private final IntakeClient intake = mock(IntakeClient.class);

	private final List<Duration> waits = Collections.synchronizedList(new ArrayList<>());

	@TempDir
	private Path directory;

	private Checkpoint checkpoint;

	private Rejects rejects;

	@BeforeEach
	void table() {
		given(this.table.name()).willReturn("public.\"Order\"");
		given(this.table.count()).willReturn(5L);
		given(this.table.page(isNull(), eq(3))).willReturn(rows(1, 3));
		given(this.table.page(eq("3"), eq(3))).willReturn(rows(4, 5));
		given(this.table.page(eq("5"), eq(3))).willReturn(List.of());
		this.checkpoint = Checkpoint.of(this.directory.resolve("checkpoint"), "public.\"Order\"");
		this.rejects = new Rejects(this.directory.resolve("rejects.ndjson"), json);
	}

	@Test
	void sendsRowsAskedToWaitAgainAfterTheirWaitAndRecordsRowsRefusedForWhatTheyHold() {
		given(this.intake.send(rows(1, 3))).willReturn(List.of(accepted(),
				new IntakeClient.Outcome(IntakeClient.Kind.RETRY, RATE_LIMITED, Duration.ofSeconds(2)), rejected()));
		given(this.intake.send(rows(2, 2))).willReturn(List.of(accepted()));
		given(this.intake.send(rows(4, 5))).willReturn(List.of(accepted(), accepted()));
		Migration.Summary summary = migration().run();
		assertThat(summary).isEqualTo(new Migration.Summary(5, 4, 1));
		assertThat(this.waits).containsExactly(Duration.ofSeconds(2));
		assertThat(this.checkpoint.lastId()).isEqualTo("5");
		assertThat(this.rejects.ids()).containsExactly("3");
	}

	@Test
	void goesOnAfterTheCheckpoint() {
		this.checkpoint.save("3");
		given(this.table.countUpTo("3")).willReturn(3L);
		given(this.intake.send(rows(4, 5))).willReturn(List.of(accepted(), accepted()));
		assertThat(migration().run()).isEqualTo(new Migration.Summary(2, 2, 0));
		verify(this.table, never()).page(isNull(), anyInt());
	}

	@Test
	void sendsABatchNotAnsweredInFullAgainWithGrowingWaitsAndStopsAfterTheMostAttempts() {
		given(this.intake.send(any())).willThrow(new IntakeUnavailableException("down", null, null));
		assertThatExceptionOfType(IntakeUnavailableException.class).isThrownBy(() -> migration(1).run());
		assertThat(this.waits).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4));
		assertThat(this.checkpoint.lastId()).isNull();
	}

	@Test
	void aBatchWhoseRowsAllWaitAgainAndAgainStopsAfterTheMostAttempts() {
		IntakeClient.Outcome wait = new IntakeClient.Outcome(IntakeClient.Kind.RETRY, RATE_LIMITED,
				Duration.ofSeconds(1));
		given(this.intake.send(any())).willReturn(List.of(wait, wait, wait));
		assertThatExceptionOfType(IntakeUnavailableException.class).isThrownBy(() -> migration(1).run())
			.withMessageContaining("accepted none of 3 rows in 4 attempts");
		assertThat(this.waits).hasSize(3);
	}

	@Test
	void checkpointsABatchOnlyOnceEveryBatchBeforeItIsAnswered() throws Exception {
		CountDownLatch laterAnswered = new CountDownLatch(1);
		given(this.intake.send(rows(1, 3))).willAnswer((invocation) -> {
			// The first batch is answered after the second.
			laterAnswered.await();
			assertThat(this.checkpoint.lastId()).isNull();
			return List.of(accepted(), accepted(), accepted());
		});
		given(this.intake.send(rows(4, 5))).willAnswer((invocation) -> {
			laterAnswered.countDown();
			return List.of(accepted(), accepted());
		});
		assertThat(migration(2).run()).isEqualTo(new Migration.Summary(5, 5, 0));
		assertThat(this.checkpoint.lastId()).isEqualTo("5");
	}

	@Test
	void aFailedBatchLeavesTheCheckpointBeforeItEvenWhenALaterOneWasAnswered() {
		CountDownLatch laterAnswered = new CountDownLatch(1);
		given(this.intake.send(rows(1, 3))).willAnswer((invocation) -> {
			// The first batch fails once the second is answered.
			laterAnswered.await();
			throw new MigrationRefusedException("refused");
		});
		given(this.intake.send(rows(4, 5))).willAnswer((invocation) -> {
			laterAnswered.countDown();
			return List.of(accepted(), accepted());
		});
		assertThatExceptionOfType(MigrationRefusedException.class).isThrownBy(() -> migration(2).run());
		assertThat(this.checkpoint.lastId()).isNull();
	}

	@Test
	void aLargeBatchRefusedWholeStopsTheMigration() {
		List<LegacyRow> batch = rows(1, 100);
		given(this.table.page(isNull(), eq(100))).willReturn(batch);
		given(this.intake.send(batch)).willReturn(IntStream.range(0, 100).mapToObj((i) -> rejected()).toList());
		Migration migration = new Migration(this.table, this.intake, this.checkpoint, this.rejects, 100, 1, 4,
				this.waits::add);
		assertThatExceptionOfType(MigrationRefusedException.class).isThrownBy(migration::run)
			.withMessageContaining("refused every one of the 100 rows of a batch")
			.withMessageContaining("sender_userId is required");
		assertThat(this.rejects.ids()).hasSize(100);
		assertThat(this.checkpoint.lastId()).isNull();
	}

	@Test
	void sendsRowsAgainByTheirIds() {
		given(this.table.rows(List.of("2", "4"))).willReturn(List.of(rows(2, 2).get(0), rows(4, 4).get(0)));
		given(this.intake.send(any())).willReturn(List.of(accepted(), rejected()));
		Migration migration = new Migration(this.table, this.intake, this.checkpoint, this.rejects, 3, 2, 4,
				this.waits::add);
		assertThat(migration.resend(List.of("2", "4"))).isEqualTo(new Migration.Summary(2, 1, 1));
		assertThat(this.rejects.ids()).containsExactly("4");
	}

	@Test
	void refusesTheCheckpointOfAnotherTable() throws Exception {
		Files.writeString(this.directory.resolve("checkpoint"), "public.\"Other\"\n12\n");
		assertThatExceptionOfType(MigrationRefusedException.class).isThrownBy(() -> migration().run())
			.withMessageContaining("is not that of a migration of public.\"Order\"");
	}

	private Migration migration() {
		return migration(2);
	}

	private Migration migration(int parallelStreams) {
		return new Migration(this.table, this.intake, this.checkpoint, this.rejects, 3, parallelStreams, 4,
				this.waits::add);
	}

	private static List<LegacyRow> rows(int from, int to) {
		return IntStream.rangeClosed(from, to)
			.mapToObj((i) -> new LegacyRow(String.valueOf(i), "med", "user", null, Instant.EPOCH, null))
			.toList();
	}

	private static IntakeClient.Outcome accepted() {
		return IntakeClient.Outcome.ACCEPTED;
	}

	private static IntakeClient.Outcome rejected() {
		return new IntakeClient.Outcome(IntakeClient.Kind.REJECTED, INVALID, null);
	}

}
