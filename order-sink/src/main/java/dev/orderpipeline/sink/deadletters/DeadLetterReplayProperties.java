package dev.orderpipeline.sink.deadletters;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the {@code dead-letters replay} command.
 *
 * @param maxReplays how often one message may be replayed: a dead letter whose
 * {@code x-replay-count} has reached it stays in the dead-letter queue. Default 3.
 */
@ConfigurationProperties("orders.sink.replay")
public record DeadLetterReplayProperties(@DefaultValue("3") int maxReplays) {

	public DeadLetterReplayProperties {
		if (maxReplays < 0) {
			throw new IllegalArgumentException("orders.sink.replay.max-replays must be 0 or more, not " + maxReplays);
		}
	}

}
