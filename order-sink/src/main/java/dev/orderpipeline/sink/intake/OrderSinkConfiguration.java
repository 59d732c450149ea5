package dev.orderpipeline.sink.intake;

import java.time.Clock;
import java.util.List;
import java.util.function.Consumer;

import dev.orderpipeline.contracts.OrderSignature;
import dev.orderpipeline.sink.store.OrderStore;
import io.micrometer.core.instrument.Gauge;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import tools.jackson.databind.json.JsonMapper;

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
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.amqp.autoconfigure.RabbitProperties;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.cloud.stream.config.ListenerContainerCustomizer;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.messaging.Message;
import org.springframework.util.unit.DataSize;

/**
 * The sink function and what it needs: the decoder, the store, and the dead-letter queue
 * with its exchange, declared here so the dead-letter path exists before the first
 * failure and the main queue keeps the legacy declaration (no arguments).
 */
@Configuration(proxyBeanMethods = false)
class OrderSinkConfiguration {

	private static final Log logger = LogFactory.getLog(OrderSinkConfiguration.class);

	/**
	 * The function bound to the queue. Its input is declared {@code Message<Object>} so
	 * that Spring Cloud Function hands the batch over unconverted: for a
	 * {@code Message<List<byte[]>>} it converts each element by the message's content
	 * type and silently drops the elements it cannot convert, which would acknowledge
	 * orders that were never stored.
	 * @param batches the batch handler
	 * @return the function
	 */
	@Bean
	Consumer<Message<Object>> orderSink(OrderBatchConsumer batches) {
		return (message) -> batches.accept(RawBatch.of(message));
	}

	@Bean
	OrderBatchConsumer orderBatchConsumer(JsonMapper json, Clock clock, OrderSignature signature, OrderStore store,
			DeadLetterPublisher deadLetters, OrderSinkProperties properties, ApplicationEventPublisher events,
			MeterRegistry meterRegistry, ObjectProvider<Tracer> tracer, ObjectProvider<Propagator> propagator) {
		MessageTracing tracing = new MessageTracing(tracer.getIfAvailable(() -> Tracer.NOOP),
				propagator.getIfAvailable(() -> Propagator.NOOP));
		if (properties.acceptUnsignedUntil() != null && clock.instant().isBefore(properties.acceptUnsignedUntil())) {
			logger.warn("UNSIGNED MESSAGES ARE STORED until " + properties.acceptUnsignedUntil()
					+ " (orders.sink.accept-unsigned-until): until then any publisher on the queue can place orders "
					+ "in any name and channel. Remove the setting once the last message of the previous version is gone.");
		}
		return new OrderBatchConsumer(new InboundOrderDecoder(json, clock, signature, properties.acceptUnsignedUntil()),
				store, deadLetters, properties, events, meterRegistry, tracing);
	}

	@Bean
	@ConditionalOnMissingBean
	Clock clock() {
		return Clock.systemUTC();
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
