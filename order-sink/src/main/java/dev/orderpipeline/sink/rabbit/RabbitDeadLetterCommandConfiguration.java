package dev.orderpipeline.sink.rabbit;

import dev.orderpipeline.sink.OrderSinkProperties;
import dev.orderpipeline.sink.deadletters.DeadLetterReplayProperties;
import dev.orderpipeline.sink.deadletters.DeadLetters;

import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.connection.ConnectionNameStrategy;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.amqp.autoconfigure.RabbitAutoConfiguration;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * The dead-letter commands' RabbitMQ: the broker connection as {@code spring.rabbitmq.*}
 * configures it, and the queue's operations over it. Deliberately not a
 * {@code @Configuration}, so the service's component scan never picks it up.
 */
@ImportAutoConfiguration({ SslAutoConfiguration.class, RabbitAutoConfiguration.class })
@ConditionalOnProperty(name = "orders.binder", havingValue = "rabbit", matchIfMissing = true)
public class RabbitDeadLetterCommandConfiguration {

	@Bean
	DeadLetters deadLetters(ConnectionFactory connectionFactory, OrderSinkProperties sink,
			DeadLetterReplayProperties replay, @Value("${orders.queue}") String queue) {
		return new RabbitDeadLetterQueue(connectionFactory, queue, sink.deadLetterQueue(), replay.maxReplays(),
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
