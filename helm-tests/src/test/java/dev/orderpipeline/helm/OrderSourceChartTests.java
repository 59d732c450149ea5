package dev.orderpipeline.helm;

import java.util.Map;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The order-source chart's own settings.
 */
class OrderSourceChartTests {

	@Test
	void intakeSettingsReachTheApplication() {
		Map<String, String> settings = Charts
			.render(Charts.SOURCE,
					Charts.values("readApiBaseUrl", "https://orders.example.com", "maxInFlight", 256, "confirmTimeout",
							"3s", "readTimeout", "20s", "queue", "orders_v2", "migrationEnabled", true))
			.one(ConfigMap.class)
			.getData();

		assertThat(settings).containsEntry("ORDERS_SOURCE_READ_API_BASE_URL", "https://orders.example.com")
			.containsEntry("ORDERS_SOURCE_MAX_IN_FLIGHT", "256")
			.containsEntry("ORDERS_SOURCE_CONFIRM_TIMEOUT", "3s")
			.containsEntry("ORDERS_SOURCE_READ_TIMEOUT", "20s")
			.containsEntry("ORDERS_SOURCE_MIGRATION_ENABLED", "true")
			.containsEntry("ORDERS_QUEUE", "orders_v2")
			// Its broker user may only publish (see the README's broker permissions).
			.containsEntry("SPRING_PROFILES_ACTIVE", "publish-only");
	}

	@Test
	void migrationIsOffUnlessTurnedOn() {
		assertThat(Charts.render(Charts.SOURCE).one(ConfigMap.class).getData())
			.containsEntry("ORDERS_SOURCE_MIGRATION_ENABLED", "false");
	}

	@Test
	void readApiBaseUrlIsLeftToTheApplicationWhenEmpty() {
		assertThat(Charts.render(Charts.SOURCE).one(ConfigMap.class).getData())
			.doesNotContainKey("ORDERS_SOURCE_READ_API_BASE_URL");
	}

	@Test
	void gracePeriodCoversTheDefaultShutdownPhase() {
		Deployment deployment = Charts.render(Charts.SOURCE).one(Deployment.class);

		assertThat(deployment.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds())
			.isEqualTo(10 + 30 + 10);
	}

	@Test
	void onKafkaThePublishOnlyProfileAndTheBrokerSecretAreLeftOut() {
		Manifests manifests = Charts.render(Charts.SOURCE, ServiceChartsTests.kafkaValues());

		// publish-only is a RabbitMQ profile: the broker user that may only publish.
		assertThat(manifests.one(ConfigMap.class).getData()).doesNotContainKey("SPRING_PROFILES_ACTIVE")
			.containsEntry("ORDERS_BINDER", "kafka");
		assertThat(manifests.kinds()).doesNotContain("Secret");
		assertThat(manifests.one(Deployment.class).getSpec().getTemplate().getMetadata().getAnnotations())
			.containsKey("checksum/config")
			.doesNotContainKey("checksum/secret");
	}

	@Test
	void noSecretIsCreatedWithAnExistingOne() {
		Manifests manifests = Charts.render(Charts.SOURCE,
				Charts.values("rabbitmq.existingSecret", "order-source-rabbitmq"));

		assertThat(manifests.kinds()).doesNotContain("Secret");
		assertThat(manifests.one(Deployment.class).getSpec().getTemplate().getMetadata().getAnnotations())
			.containsKey("checksum/config")
			.doesNotContainKey("checksum/secret");
	}

}
