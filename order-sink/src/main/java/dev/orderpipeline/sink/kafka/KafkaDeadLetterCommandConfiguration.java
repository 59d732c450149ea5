package dev.orderpipeline.sink.kafka;

import dev.orderpipeline.sink.OrderSinkProperties;
import dev.orderpipeline.sink.deadletters.DeadLetterReplayProperties;
import dev.orderpipeline.sink.deadletters.DeadLetters;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.KafkaTemplate;

/**
 * The dead-letter commands' Kafka: the clients as {@code spring.kafka.*} configures them,
 * and the dead-letter topic's operations over them. Deliberately not a
 * {@code @Configuration}, so the service's component scan never picks it up.
 */
@ImportAutoConfiguration({ SslAutoConfiguration.class, KafkaAutoConfiguration.class })
@ConditionalOnProperty(name = "orders.binder", havingValue = "kafka")
public class KafkaDeadLetterCommandConfiguration {

	@Bean
	DeadLetters deadLetters(ConsumerFactory<?, ?> consumers, KafkaTemplate<byte[], byte[]> kafka,
			OrderSinkProperties sink, DeadLetterReplayProperties replay, @Value("${orders.queue}") String queue) {
		return new KafkaDeadLetters(consumers, kafka, queue, sink.deadLetterQueue(), replay.maxReplays(),
				sink.confirmTimeout());
	}

}
