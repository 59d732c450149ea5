package dev.orderpipeline.sink;

import java.util.Map;

import dev.orderpipeline.testsupport.ServiceSettings;
import org.junit.jupiter.api.Test;

import org.springframework.boot.context.config.ConfigDataResourceNotFoundException;
import org.springframework.core.env.ConfigurableEnvironment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The broker's settings come with the binder chosen by {@code ORDERS_BINDER}: RabbitMQ's
 * by default, its health in readiness, and a binder without an adapter stops the start,
 * named.
 */
class BinderSettingsTests {

	@Test
	void rabbitIsTheDefaultAndBringsTheBrokersSettingsAndHealth() {
		ConfigurableEnvironment settings = ServiceSettings.load(Map.of());
		assertThat(settings.getProperty("spring.rabbitmq.max-inbound-message-body-size")).isEqualTo("128KB");
		assertThat(settings.getProperty("spring.cloud.stream.rabbit.bindings.orderSink-in-0.consumer.batch-size"))
			.isEqualTo("200");
		assertThat(settings.getProperty("management.endpoint.health.group.readiness.include"))
			.isEqualTo("readinessState,r2dbc,rabbit");
		assertThat(settings.getProperty("logging.level.com.rabbitmq.client")).isNull();
	}

	@Test
	void theDeadLetterCommandsQuietTheBrokerClient() {
		ConfigurableEnvironment settings = ServiceSettings.load(Map.of(), "dead-letters");
		assertThat(settings.getProperty("logging.level.com.rabbitmq.client")).isEqualTo("off");
	}

	@Test
	void theBrokersHealthComesWithItsBinder() {
		assertThat(ServiceSettings.load(Map.of()).getProperty("management.health.rabbit.enabled")).isEqualTo("true");
	}

	@Test
	void aBinderWithoutAnAdapterStopsTheStartNamingIt() {
		assertThatExceptionOfType(ConfigDataResourceNotFoundException.class)
			.isThrownBy(() -> ServiceSettings.load(Map.of("ORDERS_BINDER", "kafka")))
			.withMessageContaining("binders/kafka.yml");
	}

}
