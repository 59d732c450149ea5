package dev.orderpipeline.source;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.orderpipeline.testsupport.ServiceSettings;
import org.junit.jupiter.api.Test;

import org.springframework.boot.context.config.ConfigDataResourceNotFoundException;
import org.springframework.core.env.ConfigurableEnvironment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The broker's settings come with the binder chosen by {@code ORDERS_BINDER}: RabbitMQ's
 * by default, and a binder without an adapter stops the start, named.
 */
class BinderSettingsTests {

	@Test
	void rabbitIsTheDefaultAndBringsTheBrokersSettings() {
		ConfigurableEnvironment settings = ServiceSettings.load(Map.of());
		assertThat(settings.getProperty("spring.rabbitmq.publisher-confirm-type")).isEqualTo("correlated");
		assertThat(settings.getProperty("spring.cloud.stream.rabbit.bindings.orders-out-0.producer.delivery-mode"))
			.isEqualTo("persistent");
		assertThat(settings.getProperty("spring.cloud.stream.bindings.orders-out-0.producer.required-groups"))
			.isEqualTo("create_order_queue");
	}

	@Test
	void thePublishOnlyProfileDeclaresNothing() {
		ConfigurableEnvironment settings = ServiceSettings.load(Map.of(), "publish-only");
		assertThat(settings.getProperty("spring.cloud.stream.bindings.orders-out-0.producer.required-groups"))
			.isEmpty();
		assertThat(settings.getProperty("spring.cloud.stream.rabbit.bindings.orders-out-0.producer.declare-exchange"))
			.isEqualTo("false");
	}

	@Test
	void theBrokersHealthComesWithItsBinder() {
		assertThat(ServiceSettings.load(Map.of()).getProperty("management.health.rabbit.enabled")).isEqualTo("true");
	}

	@Test
	void kafkaBringsAnAcknowledgingIdempotentProducerThatFailsWithinTheConfirmTimeoutAndNoRabbitMq() {
		ConfigurableEnvironment settings = ServiceSettings.load(Map.of("ORDERS_BINDER", "kafka"));
		assertThat(settings.getProperty("spring.cloud.stream.default-binder")).isEqualTo("kafka");
		assertThat(settings.getProperty("spring.cloud.stream.kafka.binder.required-acks")).isEqualTo("all");
		assertThat(settings.getProperty("spring.cloud.stream.kafka.binder.producer-properties.enable.idempotence"))
			.isEqualTo("true");
		Duration confirmTimeout = Duration.parse("PT" + settings.getProperty("orders.source.confirm-timeout", "5s"));
		for (String timeout : List.of("max.block.ms", "delivery.timeout.ms")) {
			assertThat(Long
				.parseLong(settings.getProperty("spring.cloud.stream.kafka.binder.producer-properties." + timeout)))
				.as(timeout)
				.isLessThan(confirmTimeout.toMillis());
		}
		assertThat(settings.getProperty("spring.autoconfigure.exclude[1]")).endsWith("RabbitAutoConfiguration");
		assertThat(settings.getProperty("management.health.rabbit.enabled")).isEqualTo("false");
	}

	@Test
	void aBinderWithoutAnAdapterStopsTheStartNamingIt() {
		assertThatExceptionOfType(ConfigDataResourceNotFoundException.class)
			.isThrownBy(() -> ServiceSettings.load(Map.of("ORDERS_BINDER", "pulsar")))
			.withMessageContaining("binders/pulsar.yml");
	}

}
