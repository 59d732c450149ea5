package dev.orderpipeline.sink.kafka;

import java.util.Map;

import dev.orderpipeline.sink.OrderSinkProperties;
import dev.orderpipeline.sink.consuming.ReceivedMessages;
import dev.orderpipeline.sink.deadletters.DeadLetterPublisher;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.apache.kafka.clients.admin.NewTopic;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.cloud.stream.config.ListenerContainerCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.AbstractMessageListenerContainer;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.util.backoff.ExponentialBackOff;

/**
 * The sink's Kafka adapter: the records as the binder delivers them, the dead-letter
 * topic (created at start, one partition so its records keep their order), an error
 * handler that never skips a batch, and the backlogs. Active with
 * {@code orders.binder=kafka}.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "orders.binder", havingValue = "kafka")
class KafkaSinkConfiguration {

	@Bean
	ReceivedMessages receivedMessages() {
		return new KafkaReceivedMessages();
	}

	@Bean
	DeadLetterPublisher deadLetterPublisher(KafkaTemplate<byte[], byte[]> kafka, OrderSinkProperties properties) {
		return new KafkaDeadLetterPublisher(kafka, properties.deadLetterQueue(), properties.confirmTimeout());
	}

	@Bean
	NewTopic deadLetterTopic(OrderSinkProperties properties) {
		return TopicBuilder.name(properties.deadLetterQueue()).partitions(1).build();
	}

	/**
	 * A batch the function hands back (an outage outlasting
	 * {@code orders.sink.retry-hold}, or a shutdown) is delivered again, with the same
	 * backoff as the function's retries and without end, whatever the exception: the
	 * default handler would commit the batch after ten attempts, or at once for the
	 * exceptions it deems fatal, losing its orders. Between attempts the handler pauses
	 * the partitions and keeps polling, so the consumer stays in its group. A stopping
	 * container lets the batch it is writing finish.
	 * @param properties the sink's settings
	 * @return the customizer
	 */
	@Bean
	ListenerContainerCustomizer<AbstractMessageListenerContainer<?, ?>> orderSinkContainerCustomizer(
			OrderSinkProperties properties) {
		return (container, destination, group) -> {
			ExponentialBackOff backOff = new ExponentialBackOff(properties.retryInitialInterval().toMillis(),
					properties.retryMultiplier());
			backOff.setMaxInterval(properties.retryMaxInterval().toMillis());
			DefaultErrorHandler errorHandler = new DefaultErrorHandler(backOff);
			errorHandler.setClassifications(Map.of(), true);
			container.setCommonErrorHandler(errorHandler);
			container.getContainerProperties().setShutdownTimeout(properties.writeTimeout().plusSeconds(5).toMillis());
		};
	}

	@Bean
	KafkaBacklog kafkaBacklog(KafkaAdmin admin) {
		return new KafkaBacklog(admin);
	}

	/**
	 * The backlogs, read from the broker when the meters are scraped: the sink group's
	 * lag on the orders topic, and the records of the dead-letter topic not yet replayed.
	 * @param backlog the broker's offsets
	 * @param properties the sink's settings
	 * @param queue the orders topic, also the sink's consumer group
	 * @return the binder of the gauges
	 */
	@Bean
	MeterBinder queueDepthMeters(KafkaBacklog backlog, OrderSinkProperties properties,
			@Value("${orders.queue}") String queue) {
		Map<String, String> groups = Map.of(queue, queue, properties.deadLetterQueue(),
				KafkaDeadLetters.replayGroup(properties.deadLetterQueue()));
		return (registry) -> groups.forEach(
				(topic, group) -> Gauge.builder("orders.queue.depth", backlog, (broker) -> broker.lag(topic, group))
					.description("Records not yet consumed: the consumer group's lag")
					.tag("queue", topic)
					.register(registry));
	}

}
