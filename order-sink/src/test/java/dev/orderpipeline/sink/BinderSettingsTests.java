package dev.orderpipeline.sink;

import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.boot.bootstrap.DefaultBootstrapContext;
import org.springframework.boot.context.config.ConfigDataEnvironmentPostProcessor;
import org.springframework.boot.context.config.ConfigDataResourceNotFoundException;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.core.io.DefaultResourceLoader;

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
		ConfigurableEnvironment settings = settings(Map.of());
		assertThat(settings.getProperty("spring.rabbitmq.max-inbound-message-body-size")).isEqualTo("128KB");
		assertThat(settings.getProperty("spring.cloud.stream.rabbit.bindings.orderSink-in-0.consumer.batch-size"))
			.isEqualTo("200");
		assertThat(settings.getProperty("management.endpoint.health.group.readiness.include"))
			.isEqualTo("readinessState,r2dbc,rabbit");
		assertThat(settings.getProperty("logging.level.com.rabbitmq.client")).isNull();
	}

	@Test
	void theDeadLetterCommandsQuietTheBrokerClient() {
		ConfigurableEnvironment settings = settings(Map.of(), "dead-letters");
		assertThat(settings.getProperty("logging.level.com.rabbitmq.client")).isEqualTo("off");
	}

	@Test
	void theBrokersHealthComesWithItsBinder() {
		assertThat(settings(Map.of()).getProperty("management.health.rabbit.enabled")).isEqualTo("true");
	}

	@Test
	void aBinderWithoutAnAdapterStopsTheStartNamingIt() {
		assertThatExceptionOfType(ConfigDataResourceNotFoundException.class)
			.isThrownBy(() -> settings(Map.of("ORDERS_BINDER", "kafka")))
			.withMessageContaining("binders/kafka.yml");
	}

	static ConfigurableEnvironment settings(Map<String, Object> variables, String... profiles) {
		StandardEnvironment environment = new StandardEnvironment();
		environment.getPropertySources()
			.replace(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, new SystemEnvironmentPropertySource(
					StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, variables));
		ConfigDataEnvironmentPostProcessor.applyTo(environment, new DefaultResourceLoader(),
				new DefaultBootstrapContext(), profiles);
		return environment;
	}

}
