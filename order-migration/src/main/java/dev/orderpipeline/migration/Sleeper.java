package dev.orderpipeline.migration;

import java.time.Duration;

/**
 * Waits between attempts; stood in for by tests.
 */
@FunctionalInterface
interface Sleeper {

	/** The thread's own sleep. */
	Sleeper THREAD = (duration) -> {
		try {
			Thread.sleep(duration.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IntakeUnavailableException("Interrupted", null, ex);
		}
	};

	/**
	 * Waits.
	 * @param duration how long
	 */
	void sleep(Duration duration);

}
