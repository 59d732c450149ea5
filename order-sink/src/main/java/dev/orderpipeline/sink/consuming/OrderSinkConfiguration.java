package dev.orderpipeline.sink.consuming;

import java.time.Clock;
import java.util.function.Consumer;

import dev.orderpipeline.contracts.OrderSignature;
import dev.orderpipeline.sink.OrderSinkProperties;
import dev.orderpipeline.sink.deadletters.DeadLetterPublisher;
import dev.orderpipeline.sink.lifecycle.StatusChanges;
import dev.orderpipeline.sink.store.OrderStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.messaging.Message;

/**
 * The sink function and what it needs: the decoder and the store. The broker's part (the
 * messages as delivered, the dead-letter queue, the queue depths) comes from the adapter
 * of the binder in use.
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
	Consumer<Message<Object>> orderSink(OrderBatchConsumer batches, ReceivedMessages messages) {
		return (message) -> batches.accept(messages.batch(message));
	}

	@Bean
	OrderBatchConsumer orderBatchConsumer(JsonMapper json, Clock clock, OrderSignature signature,
			ReceivedMessages messages, OrderStore store, StatusChanges changes, DeadLetterPublisher deadLetters,
			OrderSinkProperties properties, ApplicationEventPublisher events, MeterRegistry meterRegistry,
			ObjectProvider<Tracer> tracer, ObjectProvider<Propagator> propagator) {
		MessageTracing tracing = new MessageTracing(tracer.getIfAvailable(() -> Tracer.NOOP),
				propagator.getIfAvailable(() -> Propagator.NOOP));
		if (properties.acceptUnsignedUntil() != null && clock.instant().isBefore(properties.acceptUnsignedUntil())) {
			logger.warn("UNSIGNED MESSAGES ARE STORED until " + properties.acceptUnsignedUntil()
					+ " (orders.sink.accept-unsigned-until): until then any publisher on the queue can place orders "
					+ "in any name and channel. Remove the setting once the last message of the previous version is gone.");
		}
		return new OrderBatchConsumer(
				new InboundOrderDecoder(json, clock, signature, messages, properties.acceptUnsignedUntil()), messages,
				store, changes, deadLetters, properties, events, meterRegistry, tracing);
	}

	@Bean
	@ConditionalOnMissingBean
	Clock clock() {
		return Clock.systemUTC();
	}

}
