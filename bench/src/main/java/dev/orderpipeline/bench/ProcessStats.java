package dev.orderpipeline.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * CPU time and resident memory of a group of processes, read from {@code /proc}: one
 * service, or all processes of the broker or of the database.
 */
final class ProcessStats {

	private static final long CLOCK_TICKS_PER_SECOND = 100;

	private final String name;

	private final Supplier<List<Long>> pids;

	private long cpuMicrosAtStart;

	private long endedCpuMicros;

	private long peakRssBytes;

	ProcessStats(String name, Supplier<List<Long>> pids) {
		this.name = name;
		this.pids = pids;
	}

	static ProcessStats of(String name, long pid) {
		return new ProcessStats(name, () -> List.of(pid));
	}

	/**
	 * The processes of a process group, as {@code pgrep -g} finds them: a server the
	 * benchmark started, with every process it forked.
	 * @param name the group's name
	 * @param processGroup the process group id
	 * @return the group
	 */
	static ProcessStats inGroup(String name, long processGroup) {
		return new ProcessStats(name, () -> pgrep("-g", String.valueOf(processGroup)));
	}

	/**
	 * A process and every process descended from it, whatever their process group: a
	 * PostgreSQL server's backends each start a session of their own.
	 * @param name the tree's name
	 * @param root the root's pid
	 * @return the tree
	 */
	static ProcessStats inTree(String name, long root) {
		return new ProcessStats(name, () -> ProcessHandle.of(root)
			.map((handle) -> Stream.concat(Stream.of(handle), handle.descendants()).map(ProcessHandle::pid).toList())
			.orElse(List.of()));
	}

	String name() {
		return this.name;
	}

	/** Starts counting CPU time and the peak from now. */
	void start() {
		this.cpuMicrosAtStart = cpuMicros();
		this.endedCpuMicros = 0;
		this.peakRssBytes = 0;
		sample();
	}

	/** Takes a memory sample; call it regularly while measuring. */
	void sample() {
		this.peakRssBytes = Math.max(this.peakRssBytes, rssBytes());
	}

	/**
	 * Counts the CPU time of a process of the group that ended since the start, as its
	 * parent measured it: {@code /proc} has nothing of it any more.
	 * @param micros its CPU time, user and system
	 */
	void addEndedCpuMicros(long micros) {
		this.endedCpuMicros += micros;
	}

	long cpuMicrosSinceStart() {
		return cpuMicros() - this.cpuMicrosAtStart + this.endedCpuMicros;
	}

	long peakRssBytes() {
		return this.peakRssBytes;
	}

	private long cpuMicros() {
		long ticks = 0;
		for (long pid : this.pids.get()) {
			String stat = read(Path.of("/proc", String.valueOf(pid), "stat"));
			if (stat != null) {
				String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
				ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
			}
		}
		return ticks * 1_000_000 / CLOCK_TICKS_PER_SECOND;
	}

	private long rssBytes() {
		long kilobytes = 0;
		for (long pid : this.pids.get()) {
			String status = read(Path.of("/proc", String.valueOf(pid), "status"));
			if (status != null) {
				for (String line : status.split("\n")) {
					if (line.startsWith("VmRSS:")) {
						kilobytes += Long.parseLong(line.replaceAll("[^0-9]", ""));
					}
				}
			}
		}
		return kilobytes * 1024;
	}

	private static String read(Path path) {
		try {
			return Files.readString(path);
		}
		catch (IOException ex) {
			return null;
		}
	}

	private static List<Long> pgrep(String option, String value) {
		List<Long> pids = new ArrayList<>();
		try {
			Process process = new ProcessBuilder("pgrep", option, value).redirectErrorStream(true).start();
			for (String line : new String(process.getInputStream().readAllBytes()).split("\n")) {
				if (!line.isBlank()) {
					pids.add(Long.parseLong(line.trim()));
				}
			}
			process.waitFor();
		}
		catch (IOException ex) {
			return pids;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		return pids;
	}

}
