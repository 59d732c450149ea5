package dev.orderpipeline.migration;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The rejects file: appended, read back once per id, a line cut short skipped.
 */
class RejectsTests {

	private static final JsonMapper json = JsonMapper.builder().build();

	@Test
	void readsEachRefusedIdOnceAndSkipsALineCutShort(@TempDir Path directory) throws Exception {
		Rejects rejects = new Rejects(directory.resolve("rejects.ndjson"), json);
		assertThat(rejects.ids()).isEmpty();
		rejects.addAll(List.of(new Rejects.Rejected("1", json.readTree("{\"status\":400}")),
				new Rejects.Rejected("2", json.readTree("{\"status\":400}"))));
		rejects.addAll(List.of(new Rejects.Rejected("1", json.readTree("{\"status\":400}"))));
		Files.writeString(rejects.file(), "{\"id\":\"3\",\"prob", StandardOpenOption.APPEND);
		assertThat(rejects.ids()).containsExactlyInAnyOrder("1", "2");
	}

}
