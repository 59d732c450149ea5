package dev.orderpipeline.migration;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The rows order-source refused for what they hold, one JSON line each ({@code {"id":
 * ..., "problem": {...}}}), appended: a batch sent again after a restart may add a row
 * twice, which {@link #ids()} counts once.
 */
final class Rejects {

	private static final Log logger = LogFactory.getLog(Rejects.class);

	private final Path file;

	private final JsonMapper json;

	Rejects(Path file, JsonMapper json) {
		this.file = file;
		this.json = json;
	}

	/**
	 * Adds refused rows.
	 * @param rows each row's id and order-source's problem
	 */
	void addAll(List<Rejected> rows) {
		if (rows.isEmpty()) {
			return;
		}
		try (BufferedWriter writer = Files.newBufferedWriter(this.file, StandardCharsets.UTF_8,
				StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
			for (Rejected row : rows) {
				writer.write(this.json.writeValueAsString(row));
				writer.write('\n');
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * The ids of every row refused so far.
	 * @return the ids
	 */
	Set<String> ids() {
		Set<String> ids = new HashSet<>();
		if (!Files.exists(this.file)) {
			logger.warn("No rejects at " + this.file + ": rows refused by a migration count as missing unless "
					+ "orders.migration.rejects names the file it wrote");
			return ids;
		}
		try (Stream<String> lines = Files.lines(this.file, StandardCharsets.UTF_8)) {
			lines.filter((line) -> !line.isBlank()).forEach((line) -> {
				try {
					ids.add(this.json.readTree(line).path("id").asString());
				}
				catch (JacksonException ex) {
					// A line cut short when the command was killed while writing it.
					logger.warn("Skipped a line of " + this.file + " that is not JSON: " + line);
				}
			});
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return ids;
	}

	/**
	 * A refused row.
	 *
	 * @param id the row's id
	 * @param problem why order-source refused it
	 */
	record Rejected(String id, JsonNode problem) {

	}

	/**
	 * Where the rejects are.
	 * @return the file
	 */
	Path file() {
		return this.file;
	}

}
