package dev.orderpipeline.sink.rabbit;

import java.util.List;

import dev.orderpipeline.sink.OrderSinkProperties;
import dev.orderpipeline.sink.consuming.ReceivedMessages;
import dev.orderpipeline.sink.deadletters.DeadLetterPublisher;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.MeterBinder;

import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.amqp.core.BindingBuilder;
import org.springframework.amqp.core.Declarables;
import org.springframework.amqp.core.FanoutExchange;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.core.QueueInformation;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.amqp.rabbit.listener.MessageListenerContainer;
import org.springframework.amqp.rabbit.listener.SimpleMessageListenerContainer;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.amqp.autoconfigure.RabbitProperties;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.cloud.stream.config.ListenerContainerCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.unit.DataSize;

/**
 * The sink's RabbitMQ adapter: the messages as the binder delivers them, the dead-letter
 * queue with its exchange (declared here, so the dead-letter path exists before the first
 * failure and the main queue keeps the legacy declaration, without arguments), the
 * listener container's timing and the queue depths. Active with
 * {@code orders.binder=rabbit}, the default.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "orders.binder", havingValue = "rabbit", matchIfMissing = true)
class RabbitSinkConfiguration {

	@Bean
	ReceivedMessages receivedMessages() {
		return new RabbitReceivedMessages();
	}

	/**
	 * Publishes dead letters over the publisher connection, so that a broker blocking
	 * publishers (memory or disk alarm) never blocks the consumer's acknowledgements.
	 * @param connectionFactory the broker connection
	 * @param admin redeclares the dead-letter queue if it was deleted
	 * @param properties the sink's settings
	 * @return the publisher
	 */
	@Bean
	DeadLetterPublisher deadLetterPublisher(ConnectionFactory connectionFactory, AmqpAdmin admin,
			OrderSinkProperties properties) {
		RabbitTemplate rabbit = new RabbitTemplate(connectionFactory);
		rabbit.setUsePublisherConnection(true);
		rabbit.setMandatory(true);
		return new RabbitDeadLetterPublisher(rabbit, admin, properties);
	}

	/**
	 * Bounds the wait for a batch to fill, so an order is stored within
	 * {@code batch-receive-timeout} plus the write even at a low rate, and lets a
	 * stopping container finish the batch it is writing.
	 * @param properties the sink's settings
	 * @return the customizer
	 */
	@Bean
	ListenerContainerCustomizer<MessageListenerContainer> orderSinkContainerCustomizer(OrderSinkProperties properties,
			RabbitProperties rabbit,
			@Value("${spring.cloud.stream.rabbit.bindings.orderSink-in-0.consumer.prefetch:1}") int prefetch,
			@Value("${spring.cloud.stream.bindings.orderSink-in-0.consumer.concurrency:1}") int consumers) {
		// Each consumer has a prefetch of its own.
		requireThatPrefetchedBodiesFitTheHeap(prefetch * consumers, rabbit.getMaxInboundMessageBodySize(),
				Runtime.getRuntime().maxMemory());
		return (container, destination, group) -> {
			if (container instanceof SimpleMessageListenerContainer simple) {
				simple.setBatchReceiveTimeout(properties.batchReceiveTimeout().toMillis());
				simple.setShutdownTimeout(properties.writeTimeout().plusSeconds(5).toMillis());
			}
		};
	}

	/**
	 * Prefetched messages are on the heap before the function sees them: at worst the
	 * prefetch count times the largest body the client accepts, which must leave the heap
	 * room to work. The client's limit must be at or above the broker's
	 * {@code max_message_size} (a delivery above it closes the connection, over and
	 * over), so the broker's limit bounds this too.
	 * @param prefetch the prefetch count of all consumers together
	 * @param inboundLimit the largest message body the client accepts
	 * @param maxHeap the heap's size in bytes
	 * @throws IllegalStateException if the worst case takes more than half the heap
	 */
	static void requireThatPrefetchedBodiesFitTheHeap(int prefetch, DataSize inboundLimit, long maxHeap) {
		long worstCase = prefetch * inboundLimit.toBytes();
		if (worstCase > maxHeap / 2) {
			throw new IllegalStateException("A prefetch of " + prefetch + " messages of up to "
					+ inboundLimit.toKilobytes() + " KB (spring.rabbitmq.max-inbound-message-body-size) may hold "
					+ worstCase / (1024 * 1024) + " MB, more than half the heap (" + maxHeap / (1024 * 1024)
					+ " MB): lower the prefetch or the limit (with the broker's max_message_size), or give the "
					+ "service more heap");
		}
	}

	/**
	 * The depth of the order queue and of the dead-letter queue, read from the broker
	 * when the meters are scraped.
	 * @param admin the broker
	 * @param properties the sink's settings
	 * @param queue the order queue
	 * @return the binder of the gauges
	 */
	@Bean
	MeterBinder queueDepthMeters(AmqpAdmin admin, OrderSinkProperties properties,
			@Value("${orders.queue}") String queue) {
		return (registry) -> {
			for (String name : List.of(queue, properties.deadLetterQueue())) {
				Gauge.builder("orders.queue.depth", admin, (broker) -> depth(broker, name))
					.description("Messages ready on the queue")
					.tag("queue", name)
					.register(registry);
			}
		};
	}

	private static double depth(AmqpAdmin admin, String queue) {
		try {
			QueueInformation information = admin.getQueueInfo(queue);
			return (information != null) ? information.getMessageCount() : Double.NaN;
		}
		catch (RuntimeException ex) {
			return Double.NaN;
		}
	}

	@Bean
	Declarables deadLetterTopology(OrderSinkProperties properties) {
		Queue queue = new Queue(properties.deadLetterQueue(), true);
		FanoutExchange exchange = new FanoutExchange(properties.deadLetterExchange(), true, false);
		return new Declarables(queue, exchange, BindingBuilder.bind(queue).to(exchange));
	}

}
