package dev.orderpipeline.source.order;

import java.util.concurrent.Executors;

import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.cloud.stream.config.BindingServiceProperties;
import org.springframework.cloud.stream.config.ProducerMessageHandlerCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.integration.amqp.outbound.AmqpOutboundEndpoint;
import org.springframework.messaging.MessageHandler;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

/**
 * Wiring of the publishing side with the binder.
 */
@Configuration(proxyBeanMethods = false)
class PublishingConfiguration {

	/**
	 * Runs the broker's confirms on two threads. Spring AMQP's default for them is a
	 * cached thread pool that starts a thread for every confirm that arrives while the
	 * others are busy: under an open-loop load with a thousand client connections the
	 * source held 838 such threads and 75 MB of stacks. The same executor would run
	 * consumers too; the source has none.
	 * @return the post-processor that gives the connection factory its executor
	 */
	@Bean
	static BeanPostProcessor confirmsOnTwoThreads() {
		return new BeanPostProcessor() {

			@Override
			public Object postProcessBeforeInitialization(Object bean, String beanName) {
				if (bean instanceof CachingConnectionFactory factory) {
					CustomizableThreadFactory threads = new CustomizableThreadFactory("publisher-confirms-");
					threads.setDaemon(true);
					factory.setExecutor(Executors.newFixedThreadPool(2, threads));
				}
				return bean;
			}

		};
	}

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
