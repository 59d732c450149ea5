package dev.orderpipeline.testsupport;

import java.util.concurrent.atomic.AtomicInteger;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Checks a service's logging set-up: Spring's logging (commons-logging) reaches Logback,
 * and a message below the logger's level is never turned into text (the frameworks log
 * every message they handle at debug).
 */
public final class LoggingCheck {

	private LoggingCheck() {
	}

	/**
	 * Logs below and at a logger's level through commons-logging and checks what Logback
	 * got and what was formatted.
	 * @param name the logger's name
	 */
	public static void assertMessagesBelowTheLevelAreNotFormattedAndTheOthersReachLogback(String name) {
		Logger logback = (Logger) LoggerFactory.getLogger(name);
		logback.setLevel(Level.INFO);
		ListAppender<ILoggingEvent> events = new ListAppender<>();
		events.start();
		logback.addAppender(events);
		try {
			AtomicInteger formatted = new AtomicInteger();
			Object message = new Object() {

				@Override
				public String toString() {
					formatted.incrementAndGet();
					return "an order";
				}

			};
			Log log = LogFactory.getLog(name);
			log.debug(message);
			assertThat(formatted).hasValue(0);
			log.info(message);
			assertThat(events.list).extracting(ILoggingEvent::getFormattedMessage).containsExactly("an order");
		}
		finally {
			logback.detachAppender(events);
			logback.setLevel(null);
		}
	}

}
