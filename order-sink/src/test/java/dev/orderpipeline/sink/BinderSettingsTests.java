package dev.orderpipeline.sink;

import java.time.Duration;
import java.util.Map;

import dev.orderpipeline.testsupport.ServiceSettings;
import org.junit.jupiter.api.Test;

import org.springframework.boot.context.config.ConfigDataResourceNotFoundException;
import org.springframework.core.env.ConfigurableEnvironment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The broker's settings come with the binder chosen by {@code ORDERS_BINDER}: RabbitMQ's
 * by default or Kafka's, each with its health in readiness, and a binder without an
 * adapter stops the start, named.
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
	void kafkaHandsTheFunctionRawRecordsHoldsABatchShorterThanThePollIntervalAndIsReadyWithItsBinder() {
		ConfigurableEnvironment settings = ServiceSettings.load(Map.of("ORDERS_BINDER", "kafka"));
		assertThat(settings.getProperty("spring.cloud.stream.default-binder")).isEqualTo("kafka");
		assertThat(settings.getProperty("spring.cloud.stream.bindings.orderSink-in-0.content-type"))
			.isEqualTo("application/octet-stream");
		assertThat(settings.getProperty("spring.cloud.stream.bindings.orderSink-in-0.consumer.batch-mode"))
			.isEqualTo("true");
		Duration hold = Duration.parse("PT" + settings.getProperty("orders.sink.retry-hold"));
		long pollInterval = Long.parseLong(
				settings.getProperty("spring.cloud.stream.kafka.binder.consumer-properties.max.poll.interval.ms"));
		assertThat(hold.toMillis()).isLessThan(pollInterval / 2);
		assertThat(settings.getProperty("management.endpoint.health.group.readiness.include"))
			.isEqualTo("readinessState,r2dbc,binders");
		assertThat(settings.getProperty("management.health.rabbit.enabled")).isEqualTo("false");
		assertThat(settings.getProperty("spring.autoconfigure.exclude[1]")).endsWith("RabbitAutoConfiguration");
		assertThat(settings.getProperty("spring.kafka.producer.acks")).isEqualTo("all");
	}

	@Test
	void aBinderWithoutAnAdapterStopsTheStartNamingIt() {
		assertThatExceptionOfType(ConfigDataResourceNotFoundException.class)
			.isThrownBy(() -> ServiceSettings.load(Map.of("ORDERS_BINDER", "pulsar")))
			.withMessageContaining("binders/pulsar.yml");
	}

}
