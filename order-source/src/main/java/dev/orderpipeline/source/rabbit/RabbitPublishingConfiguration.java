package dev.orderpipeline.source.rabbit;

import java.util.concurrent.Executors;

import com.rabbitmq.client.impl.nio.NioParams;
import dev.orderpipeline.source.OrderSourceProperties;
import dev.orderpipeline.source.publishing.OrderBroker;
import dev.orderpipeline.source.publishing.SendBatcher;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.amqp.rabbit.connection.AbstractConnectionFactory;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.amqp.autoconfigure.ConnectionFactoryCustomizer;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.cloud.stream.config.BindingServiceProperties;
import org.springframework.cloud.stream.config.ProducerMessageHandlerCustomizer;
import org.springframework.cloud.stream.function.StreamBridge;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.integration.amqp.outbound.AmqpOutboundEndpoint;
import org.springframework.messaging.MessageHandler;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

/**
 * The source's RabbitMQ adapter: the {@link OrderBroker} that sends with publisher
 * confirms, the sender that batches the sends on one channel, and the broker connection's
 * IO and callback threads. Active with {@code orders.binder=rabbit}, the default.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "orders.binder", havingValue = "rabbit", matchIfMissing = true)
class RabbitPublishingConfiguration {

	private static final Log logger = LogFactory.getLog(RabbitPublishingConfiguration.class);

	/**
	 * The sender. It depends on the broker connection, so that at shutdown it stops, and
	 * the send under way finishes, before the connection closes.
	 * @param properties the source's settings
	 * @param events where the sender reports itself broken
	 * @param connectionFactory the broker connection, closed after the sender stopped
	 * @return the sender
	 */
	@Bean
	SendBatcher orderSender(OrderSourceProperties properties, ApplicationEventPublisher events,
			ConnectionFactory connectionFactory) {
		return new SendBatcher(properties, events);
	}

	@Bean
	RabbitOrderBroker orderBroker(StreamBridge streamBridge, OrderSourceProperties properties, SendBatcher sender,
			ObjectProvider<AbstractConnectionFactory> connectionFactories) {
		RabbitOrderBroker broker = new RabbitOrderBroker(streamBridge, properties.binding(), sender);
		connectionFactories.forEach((factory) -> factory.addConnectionListener(broker));
		return broker;
	}

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
	 * out on one channel while they keep coming (see {@link SendBatcher}). A binding that
	 * is not the orders binding, or whose handler has no template, is logged: its orders
	 * are still confirmed, each on a channel of its own.
	 * @param sender the sender
	 * @param bindings the bindings' settings
	 * @param properties the source's settings
	 * @return the customizer the RabbitMQ binder calls for each producer it creates
	 */
	@Bean
	ProducerMessageHandlerCustomizer<MessageHandler> ordersOnOneChannel(SendBatcher sender,
			BindingServiceProperties bindings, OrderSourceProperties properties) {
		// Typed by MessageHandler: the binder collects customizers of that type.
		return (handler, destination) -> {
			if (handler instanceof AmqpOutboundEndpoint endpoint && endpoint.getRabbitTemplate() != null
					&& destination.equals(bindings.getBindingDestination(properties.binding()))) {
				sender.scopeWith(new ChannelScope(endpoint.getRabbitTemplate()));
			}
			else {
				logger.warn("Producer for " + destination + " is not the orders binding's ("
						+ bindings.getBindingDestination(properties.binding()) + "): its sends are not batched");
			}
		};
	}

}
