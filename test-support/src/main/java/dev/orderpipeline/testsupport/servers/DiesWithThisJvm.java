package dev.orderpipeline.testsupport.servers;

import java.util.ArrayList;
import java.util.List;

/**
 * Commands for child processes that the kernel kills when this JVM dies, however it dies:
 * {@code setpriv --pdeathsig KILL} replaces itself with the command, so the child keeps
 * its own pid. The signal follows the death of the thread that started the child, so
 * start it from a thread that lives as long as the child should (a test's own thread).
 */
public final class DiesWithThisJvm {

	private DiesWithThisJvm() {
	}

	/**
	 * The command, run so that it dies with this JVM.
	 * @param command the command
	 * @return the command to start instead
	 */
	public static List<String> command(List<String> command) {
		List<String> guarded = new ArrayList<>(List.of("setpriv", "--pdeathsig", "KILL", "--"));
		guarded.addAll(command);
		return List.copyOf(guarded);
	}

}
