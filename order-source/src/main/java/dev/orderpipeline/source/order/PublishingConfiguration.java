package dev.orderpipeline.source.order;

import java.util.concurrent.Executors;

import com.rabbitmq.client.impl.nio.NioParams;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.amqp.autoconfigure.ConnectionFactoryCustomizer;
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

	private static final Log logger = LogFactory.getLog(PublishingConfiguration.class);

	/**
	 * Gives the connection factory (and the publisher connection factory it passes its
	 * executor on to) two threads for its callbacks: confirm and return listeners,
	 * channels going back to the cache once their confirms are in, and asynchronous
	 * channel closes. Spring AMQP's default is a cached thread pool that starts a thread
	 * for every callback arriving while the others are busy: under an open-loop load with
	 * a thousand client connections the source held 838 such threads and 75 MB of stacks.
	 * The same executor would dispatch to consumers; the source has none. The threads are
	 * daemons: the factory does not own an executor it is given and never shuts it down.
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
	 * Talks to the broker over the RabbitMQ client's non-blocking IO. With blocking IO,
	 * every publish was a write of its own (the client flushes after each command), and
	 * the broker read, parsed and acknowledged the orders one segment at a time. The
	 * non-blocking client queues the frames and writes what has gathered in one go, so a
	 * batch of orders reaches the broker in a few segments: the broker's CPU per order
	 * halved (184 to 98 µs) and the pipeline stored a third more orders. Its IO thread
	 * ({@code rabbitmq-nio}) also reads the confirms, so answers are built there.
	 * @return the customizer of the client's connection factory
	 */
	@Bean
	ConnectionFactoryCustomizer nonBlockingBrokerConnection(OrderSourceProperties properties) {
		return (factory) -> {
			// Room for the frames of every order in flight (method, header and body
			// each), so a publish is never cut short by a full queue.
			NioParams nio = factory.getNioParams();
			nio.setWriteQueueCapacity(Math.max(nio.getWriteQueueCapacity(), 4 * properties.maxInFlight()));
			factory.useNio();
		};
	}

	/**
	 * Gives the sender the binder's template of the orders binding, so that the orders go
	 * out on one channel while they keep coming (see {@link SendBatcher}).
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
			else {
				logger.warn("Producer for " + destination + " is not the orders binding's ("
						+ bindings.getBindingDestination(properties.binding()) + "): its sends are not batched");
			}
		};
	}

}
