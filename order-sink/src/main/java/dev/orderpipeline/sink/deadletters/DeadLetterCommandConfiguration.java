package dev.orderpipeline.sink.deadletters;

import dev.orderpipeline.sink.OrderSinkProperties;

import org.springframework.boot.context.properties.EnableConfigurationProperties;

/**
 * The whole application context of the dead-letter commands: the settings and the
 * broker's adapter, and nothing else. No web server, no stream binding (so the order
 * queue is never consumed), no database. Deliberately not a {@code @Configuration}, so
 * the service's component scan never picks it up.
 */
@DeadLetterCommandAdapter
@EnableConfigurationProperties({ OrderSinkProperties.class, DeadLetterReplayProperties.class })
class DeadLetterCommandConfiguration {

}
