package dev.orderpipeline.sink.deadletters;

import dev.orderpipeline.sink.intake.OrderSinkProperties;

import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.connection.ConnectionNameStrategy;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.amqp.autoconfigure.RabbitAutoConfiguration;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * The whole application context of the dead-letter commands: the broker connection as
 * {@code spring.rabbitmq.*} configures it, and nothing else. No web server, no stream
 * binding (so the order queue is never consumed), no database. Deliberately not a
 * {@code @Configuration}, so the service's component scan never picks it up.
 */
@ImportAutoConfiguration({ SslAutoConfiguration.class, RabbitAutoConfiguration.class })
@EnableConfigurationProperties({ OrderSinkProperties.class, DeadLetterReplayProperties.class })
class DeadLetterCommandConfiguration {

	@Bean
	DeadLetterQueue deadLetterQueue(ConnectionFactory connectionFactory, OrderSinkProperties sink,
			DeadLetterReplayProperties replay, @Value("${orders.queue}") String queue) {
		return new DeadLetterQueue(connectionFactory, queue, sink.deadLetterQueue(), replay.maxReplays(),
				sink.confirmTimeout());
	}

	/**
	 * Names the command's connection in the broker's connection list.
	 * @return the name
	 */
	@Bean
	ConnectionNameStrategy deadLetterCommandConnectionName() {
		return (connectionFactory) -> "order-sink dead-letters";
	}

}
