package dev.orderpipeline.source.kafka;

import dev.orderpipeline.source.OrderSourceProperties;
import dev.orderpipeline.source.publishing.SendBatcher;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.cloud.stream.function.StreamBridge;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.integration.channel.DirectChannel;
import org.springframework.messaging.SubscribableChannel;
import org.springframework.messaging.support.ErrorMessage;

/**
 * The source's Kafka adapter: the {@link KafkaOrderBroker}, the sender it sends from, and
 * the channels the binder reports each record's outcome on ({@code binders/kafka.yml}
 * names the first; failures go to the error channel). Active with
 * {@code orders.binder=kafka}.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "orders.binder", havingValue = "kafka")
class KafkaPublishingConfiguration {

	/** The channel the binder sends each acknowledged record's metadata to. */
	static final String RECORD_METADATA_CHANNEL = "orderRecordMetadata";

	@Bean
	SendBatcher orderSender(OrderSourceProperties properties, ApplicationEventPublisher events) {
		return new SendBatcher(properties, events);
	}

	@Bean(RECORD_METADATA_CHANNEL)
	DirectChannel orderRecordMetadata() {
		return new DirectChannel();
	}

	@Bean
	KafkaOrderBroker orderBroker(StreamBridge streamBridge, OrderSourceProperties properties, SendBatcher sender,
			@Qualifier(RECORD_METADATA_CHANNEL) SubscribableChannel recordMetadata,
			@Qualifier("errorChannel") SubscribableChannel errors) {
		KafkaOrderBroker broker = new KafkaOrderBroker(streamBridge, properties.binding(), sender);
		recordMetadata.subscribe(broker::acknowledged);
		errors.subscribe((message) -> {
			if (message instanceof ErrorMessage error) {
				broker.failed(error);
			}
		});
		return broker;
	}

}
