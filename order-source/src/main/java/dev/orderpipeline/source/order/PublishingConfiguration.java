package dev.orderpipeline.source.order;

import org.springframework.cloud.stream.config.BindingServiceProperties;
import org.springframework.cloud.stream.config.ProducerMessageHandlerCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.integration.amqp.outbound.AmqpOutboundEndpoint;
import org.springframework.messaging.MessageHandler;

/**
 * Wiring of the publishing side with the binder.
 */
@Configuration(proxyBeanMethods = false)
class PublishingConfiguration {

	/**
	 * Gives the sender the binder's template of the orders binding, so that each batch of
	 * orders goes out on one channel (see {@link SendBatcher}).
	 * @param sender the sender
	 * @param bindings the bindings' settings
	 * @param properties the intake's settings
	 * @return the customizer the RabbitMQ binder calls for each producer it creates
	 */
	@Bean
	ProducerMessageHandlerCustomizer<MessageHandler> ordersOnFewChannels(SendBatcher sender,
			BindingServiceProperties bindings, OrderSourceProperties properties) {
		// Typed by MessageHandler: the binder collects customizers of that type.
		return (handler, destination) -> {
			if (handler instanceof AmqpOutboundEndpoint endpoint && endpoint.getRabbitTemplate() != null
					&& destination.equals(bindings.getBindingDestination(properties.binding()))) {
				sender.sendOn(endpoint.getRabbitTemplate());
			}
		};
	}

}
