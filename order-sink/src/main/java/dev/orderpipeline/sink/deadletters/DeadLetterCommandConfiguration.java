package dev.orderpipeline.sink.deadletters;

import dev.orderpipeline.sink.intake.OrderSinkProperties;
import dev.orderpipeline.sink.rabbit.RabbitDeadLetterCommandConfiguration;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Import;

/**
 * The whole application context of the dead-letter commands: the settings and the
 * broker's adapter, and nothing else. No web server, no stream binding (so the order
 * queue is never consumed), no database. Deliberately not a {@code @Configuration}, so
 * the service's component scan never picks it up.
 */
@Import(RabbitDeadLetterCommandConfiguration.class)
@EnableConfigurationProperties({ OrderSinkProperties.class, DeadLetterReplayProperties.class })
class DeadLetterCommandConfiguration {

}
