package dev.orderpipeline.helm;

import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The order-sink chart's own settings: the database, the write timeout and the shutdown
 * that waits for it, and the hook Job that applies the queue policy.
 */
class OrderSinkChartTests {

	private static final String POLICY_JOB = "orders-order-sink-rabbitmq-policy";

	@Test
	void databaseSettingsReachTheApplication() {
		Map<String, String> settings = Charts
			.render(Charts.SINK, Charts.values("database.host", "orders-db.databases", "database.port", 6432,
					"database.name", "orders_prod", "writeTimeoutSeconds", 20))
			.one(ConfigMap.class)
			.getData();

		assertThat(settings)
			.containsEntry("SPRING_R2DBC_URL", "r2dbc:postgresql://orders-db.databases:6432/orders_prod")
			.containsEntry("ORDERS_SINK_WRITE_TIMEOUT", "20s")
			.doesNotContainKey("SPRING_FLYWAY_URL");
	}

	@Test
	void flywayGetsTheSameTlsModeAsR2dbc() {
		Map<String, String> settings = Charts.render(Charts.SINK, Charts.values("database.sslMode", "verify-full"))
			.one(ConfigMap.class)
			.getData();

		assertThat(settings)
			.containsEntry("SPRING_R2DBC_URL", "r2dbc:postgresql://postgresql:5432/orders?sslMode=verify-full")
			.containsEntry("SPRING_FLYWAY_URL", "jdbc:postgresql://postgresql:5432/orders?sslmode=verify-full");
	}

	@Test
	void aDatabaseCaFromASecretVerifiesTheServerForR2dbcAndFlyway() {
		Manifests manifests = Charts.render(Charts.SINK, Charts.values("database.sslMode", "verify-full",
				"database.caSecret", "orders-db-ca", "database.caSecretKey", "root.pem"));
		Map<String, String> settings = manifests.one(ConfigMap.class).getData();
		PodSpec pod = manifests.one(Deployment.class).getSpec().getTemplate().getSpec();

		assertThat(settings).containsEntry("SPRING_R2DBC_URL",
				"r2dbc:postgresql://postgresql:5432/orders?sslMode=verify-full&sslRootCert=/etc/order-pipeline/database-ca/ca.crt")
			.containsEntry("SPRING_FLYWAY_URL",
					"jdbc:postgresql://postgresql:5432/orders?sslmode=verify-full&sslrootcert=/etc/order-pipeline/database-ca/ca.crt");
		assertThat(pod.getVolumes()).filteredOn((volume) -> "database-ca".equals(volume.getName()))
			.singleElement()
			.satisfies((volume) -> {
				assertThat(volume.getSecret().getSecretName()).isEqualTo("orders-db-ca");
				assertThat(volume.getSecret().getItems()).singleElement()
					.satisfies(
							(item) -> assertThat(item.getKey() + "->" + item.getPath()).isEqualTo("root.pem->ca.crt"));
			});
		assertThat(pod.getContainers().get(0).getVolumeMounts())
			.anySatisfy((mount) -> assertThat(mount.getMountPath()).isEqualTo("/etc/order-pipeline/database-ca"));
	}

	@Test
	void refusesADatabaseCaWithoutATlsMode() {
		assertThatExceptionOfType(IllegalStateException.class)
			.isThrownBy(() -> Charts.render(Charts.SINK, Charts.values("database.caSecret", "orders-db-ca")))
			.withMessageContaining("database.sslMode is empty");
	}

	@Test
	void databaseCredentialsComeFromTheChartsSecretOrAnExistingOne() {
		Manifests own = Charts.render(Charts.SINK, Charts.values("database.password", "db-s3cret"));
		EnvVar password = ServiceChartsTests.envVar(own, "SPRING_R2DBC_PASSWORD");
		Secret secret = own.named(Secret.class, password.getValueFrom().getSecretKeyRef().getName());

		assertThat(ServiceChartsTests.decode(secret.getData().get(password.getValueFrom().getSecretKeyRef().getKey())))
			.isEqualTo("db-s3cret");

		Manifests existing = Charts.render(Charts.SINK, Charts.values("database.existingSecret", "orders-db-app"));
		assertThat(ServiceChartsTests.envVar(existing, "SPRING_R2DBC_USERNAME").getValueFrom().getSecretKeyRef())
			.satisfies((ref) -> assertThat(ref.getName()).isEqualTo("orders-db-app"))
			.satisfies((ref) -> assertThat(ref.getKey()).isEqualTo("username"));
		assertThat(existing.named(Secret.class, "orders-order-sink").getData()).containsOnlyKeys("rabbitmq-username",
				"rabbitmq-password");

		Manifests bothExisting = Charts.render(Charts.SINK,
				Charts.values("database.existingSecret", "orders-db-app", "rabbitmq.existingSecret", "sink-broker"));
		assertThat(bothExisting.find(Secret.class, "orders-order-sink")).isEmpty();
		assertThat(bothExisting.one(Deployment.class).getSpec().getTemplate().getMetadata().getAnnotations())
			.doesNotContainKey("checksum/secret");
	}

	@Test
	void gracePeriodCoversTheBatchBeingWritten() {
		Deployment defaults = Charts.render(Charts.SINK).one(Deployment.class);
		Map<String, String> settings = Charts.render(Charts.SINK).one(ConfigMap.class).getData();

		assertThat(settings).containsEntry("ORDERS_SINK_WRITE_TIMEOUT", "30s")
			.containsEntry("SPRING_LIFECYCLE_TIMEOUT_PER_SHUTDOWN_PHASE", "35s");
		assertThat(defaults.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds())
			.isEqualTo(10 + 35 + 10)
			.isGreaterThan(10 + 30 + 5);
	}

	@Test
	void refusesAShutdownPhaseShorterThanTheWriteTimeout() {
		assertThatThrownBy(() -> Charts.render(Charts.SINK,
				Charts.values("writeTimeoutSeconds", 60, "shutdown.timeoutPerShutdownPhaseSeconds", 30)))
			.hasMessageContaining(
					"shutdown.timeoutPerShutdownPhaseSeconds (30) must be at least writeTimeoutSeconds + 5 (65)");
	}

	@Test
	void startupProbeWaitsForFlyway() {
		Container container = ServiceChartsTests.container(Charts.render(Charts.SINK).one(Deployment.class));

		assertThat(container.getStartupProbe().getPeriodSeconds() * container.getStartupProbe().getFailureThreshold())
			.isGreaterThanOrEqualTo(180);
	}

	@Test
	void egressReachesTheDatabase() {
		List<NetworkPolicyEgressRule> egress = Charts
			.render(Charts.SINK,
					Charts.values("database.port", 6432, "networkPolicy.egress.database.to[0].ipBlock.cidr",
							"10.20.0.0/16"))
			.named(NetworkPolicy.class, "orders-order-sink")
			.getSpec()
			.getEgress();

		assertThat(egress).filteredOn((rule) -> ServiceChartsTests.ports(rule).equals(List.of("6432/TCP")))
			.singleElement()
			.satisfies((rule) -> assertThat(rule.getTo()).singleElement()
				.satisfies((peer) -> assertThat(peer.getIpBlock().getCidr()).isEqualTo("10.20.0.0/16")));
	}

	@Test
	void hookJobPutsTheQueuePolicyThroughTheManagementApi() {
		Manifests manifests = Charts.render(Charts.withHooksRendered(Charts.SINK),
				Charts.values("rabbitmqPolicy.password", "admin-s3cret"));
		Job job = manifests.named(Job.class, POLICY_JOB);
		Container container = job.getSpec().getTemplate().getSpec().getContainers().get(0);

		assertThat(job.getMetadata().getAnnotations()).containsEntry(Charts.RENDERED_HOOK_ANNOTATION,
				"post-install,post-upgrade");
		assertThat(value(container, "POLICY_URL"))
			.isEqualTo("http://rabbitmq:15672/api/policies/%2F/create_order_queue");
		JsonNode policy = JsonMapper.builder().build().readTree(value(container, "POLICY"));
		assertThat(policy.get("pattern").asString()).isEqualTo("^create_order_queue$");
		assertThat(policy.get("apply-to").asString()).isEqualTo("queues");
		assertThat(policy.get("priority").asInt()).isZero();
		assertThat(policy.get("definition").properties()).hasSize(2);
		assertThat(policy.get("definition").get("dead-letter-exchange").asString()).isEqualTo("create_order_queue.dlx");
		assertThat(policy.get("definition").get("queue-version").asInt()).isEqualTo(2);
		assertThat(String.join(" ", container.getCommand())).contains("--request PUT")
			.contains("--data \"$POLICY\" \"$POLICY_URL\"")
			.contains("--fail-with-body");
		EnvVar password = container.getEnv()
			.stream()
			.filter((variable) -> variable.getName().equals("RABBITMQ_PASSWORD"))
			.findFirst()
			.orElseThrow();
		Secret secret = manifests.named(Secret.class, password.getValueFrom().getSecretKeyRef().getName());
		assertThat(ServiceChartsTests.decode(secret.getData().get(password.getValueFrom().getSecretKeyRef().getKey())))
			.isEqualTo("admin-s3cret");
		ServiceChartsTests.assertRestricted(job.getSpec().getTemplate().getSpec());
	}

	@Test
	void hookJobFollowsTheQueueTheVirtualHostAndTheManagementUrl() {
		Manifests manifests = Charts.render(Charts.withHooksRendered(Charts.SINK),
				Charts.values("queue", "orders.v2", "rabbitmq.virtualHost", "prod/orders",
						"rabbitmqPolicy.managementUrl", "https://rabbitmq.messaging:15671/",
						"rabbitmqPolicy.existingSecret", "policy-admin", "rabbitmqPolicy.queueVersion", 1));
		Container container = manifests.named(Job.class, POLICY_JOB)
			.getSpec()
			.getTemplate()
			.getSpec()
			.getContainers()
			.get(0);
		JsonNode policy = JsonMapper.builder().build().readTree(value(container, "POLICY"));

		assertThat(value(container, "POLICY_URL"))
			.isEqualTo("https://rabbitmq.messaging:15671/api/policies/prod%2Forders/orders.v2");
		assertThat(policy.get("pattern").asString()).isEqualTo("^orders\\.v2$");
		assertThat(policy.get("definition").get("dead-letter-exchange").asString()).isEqualTo("orders.v2.dlx");
		assertThat(policy.get("definition").get("queue-version").asInt()).isEqualTo(1);
		assertThat(manifests.find(Secret.class, "orders-order-sink-rabbitmq-policy")).isEmpty();
		assertThat(container.getEnv()).filteredOn((variable) -> variable.getValueFrom() != null)
			.allSatisfy((variable) -> assertThat(variable.getValueFrom().getSecretKeyRef().getName())
				.isEqualTo("policy-admin"));
		NetworkPolicy jobPolicy = manifests.named(NetworkPolicy.class, POLICY_JOB);
		assertThat(jobPolicy.getSpec().getPodSelector().getMatchLabels()).containsEntry("app.kubernetes.io/component",
				"rabbitmq-policy");
		assertThat(manifests.named(Job.class, POLICY_JOB).getSpec().getTemplate().getMetadata().getLabels())
			.containsAllEntriesOf(jobPolicy.getSpec().getPodSelector().getMatchLabels());
		assertThat(jobPolicy.getSpec().getEgress()).flatExtracting(ServiceChartsTests::ports).contains("15671/TCP");
	}

	@Test
	void noHookJobWhenThePolicyIsManagedElsewhere() {
		Manifests manifests = Charts.render(Charts.withHooksRendered(Charts.SINK),
				Charts.values("rabbitmqPolicy.enabled", false));

		assertThat(manifests.ofKind(Job.class)).isEmpty();
		assertThat(manifests.find(Secret.class, "orders-order-sink-rabbitmq-policy")).isEmpty();
		assertThat(manifests.find(NetworkPolicy.class, POLICY_JOB)).isEmpty();
	}

	@Test
	void onKafkaNoQueuePolicyAndOnlyTheDatabaseCredentials() {
		Manifests manifests = Charts.render(Charts.withHooksRendered(Charts.SINK), ServiceChartsTests.kafkaValues());

		assertThat(manifests.ofKind(Job.class)).isEmpty();
		assertThat(manifests.find(Secret.class, "orders-order-sink-rabbitmq-policy")).isEmpty();
		assertThat(manifests.find(NetworkPolicy.class, POLICY_JOB)).isEmpty();
		assertThat(manifests.named(Secret.class, "orders-order-sink").getData()).containsOnlyKeys("database-username",
				"database-password");
		assertThat(ServiceChartsTests.environment(manifests, manifests.one(Deployment.class)))
			.containsEntry("ORDERS_BINDER", "kafka")
			.containsEntry("SPRING_R2DBC_PASSWORD", "secretKeyRef:orders-order-sink/database-password");

		Manifests existing = Charts.render(Charts.SINK,
				ServiceChartsTests.kafkaValues("database.existingSecret", "orders-db-app"));
		assertThat(existing.kinds()).doesNotContain("Secret");
		assertThat(existing.one(Deployment.class).getSpec().getTemplate().getMetadata().getAnnotations())
			.doesNotContainKey("checksum/secret");
	}

	private static String value(Container container, String name) {
		return container.getEnv()
			.stream()
			.filter((variable) -> variable.getName().equals(name))
			.findFirst()
			.orElseThrow()
			.getValue();
	}

}
