package dev.orderpipeline.sink.live;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Live streams of orders and status changes ({@code orders.sink.live.*}).
 *
 * @param heartbeat how often an idle stream tells it is alive, well within the read
 * timeouts of proxies on the way
 * @param buffer the events held for one stream whose client reads slower than they come,
 * above the events one read hands it at once ({@code page}); past it the stream is closed
 * with the position to resume from (the buffer holds references: streams share the
 * events)
 * @param maxStreams the streams open at once on one sink, past it 503: each idle stream
 * holds some tens of kilobytes of heap (its request's state), so this follows the heap
 * @param maxStreamsPerReader the streams one caller (a token's subject) has open at once
 * on one sink; past it 429
 * @param page the events read from the database at once
 * @param queueCheck how often PostgreSQL's notification queue is measured, and the
 * listening connection checked
 */
@ConfigurationProperties("orders.sink.live")
public record LiveProperties(@DefaultValue("15s") Duration heartbeat, @DefaultValue("1024") int buffer,
		@DefaultValue("1000") int maxStreams, @DefaultValue("16") int maxStreamsPerReader,
		@DefaultValue("500") int page, @DefaultValue("10s") Duration queueCheck) {

	public LiveProperties {
		if (heartbeat.isNegative() || heartbeat.isZero() || queueCheck.isNegative() || queueCheck.isZero()) {
			throw new IllegalArgumentException("orders.sink.live.heartbeat and queue-check must be positive");
		}
		if (buffer < page || maxStreams < 0 || maxStreamsPerReader < 0 || page < 1) {
			throw new IllegalArgumentException(
					"orders.sink.live.page must be at least 1 and buffer at least page, max-streams and "
							+ "max-streams-per-reader at least 0");
		}
	}

}
