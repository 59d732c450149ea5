package dev.orderpipeline.source;

import dev.orderpipeline.testsupport.LoggingCheck;
import org.junit.jupiter.api.Test;

/**
 * Spring's logging reaches Logback, and a message below the logger's level is never
 * turned into text (the frameworks log every message they handle at debug).
 */
class LoggingTests {

	@Test
	void messagesBelowTheLevelAreNotFormattedAndTheOthersReachLogback() {
		LoggingCheck.assertMessagesBelowTheLevelAreNotFormattedAndTheOthersReachLogback(LoggingTests.class.getName());
	}

}
