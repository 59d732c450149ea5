package dev.orderpipeline.migration;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Where a migration is: the table it migrates and the id of the last row of the last
 * batch fully answered, in a file replaced whole at each batch (written beside it, then
 * moved over it), so that a migration killed at any moment finds either the previous
 * position or the new one.
 */
final class Checkpoint {

	private final Path file;

	private final String table;

	private Checkpoint(Path file, String table) {
		this.file = file;
		this.table = table;
	}

	/**
	 * The checkpoint of a table's migration.
	 * @param file where it is kept
	 * @param table what is migrated where: the table's qualified name and the pipeline it
	 * goes into
	 * @return the checkpoint
	 */
	static Checkpoint of(Path file, String table) {
		return new Checkpoint(file, table);
	}

	/**
	 * The id of the last row migrated.
	 * @return the id, or {@code null} when nothing was migrated yet
	 * @throws MigrationRefusedException if the file is another table's
	 */
	String lastId() {
		if (!Files.exists(this.file)) {
			return null;
		}
		List<String> lines;
		try {
			lines = Files.readAllLines(this.file, StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		if (lines.size() != 2 || !lines.get(0).equals(this.table)) {
			throw new MigrationRefusedException("The checkpoint " + this.file + " is not that of a migration of "
					+ this.table + ": remove it to start over, or set orders.migration.checkpoint");
		}
		return lines.get(1);
	}

	/**
	 * Records the last row migrated.
	 * @param lastId its id
	 */
	void save(String lastId) {
		Path next = this.file.resolveSibling(this.file.getFileName() + ".next");
		byte[] content = (this.table + "\n" + lastId + "\n").getBytes(StandardCharsets.UTF_8);
		try (FileChannel channel = FileChannel.open(next, StandardOpenOption.CREATE,
				StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
			channel.write(ByteBuffer.wrap(content));
			// On disk before it replaces the last one.
			channel.force(true);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		try {
			Files.move(next, this.file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
