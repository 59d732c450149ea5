package dev.orderpipeline.helm;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The umbrella chart: both services, the public routes to them and the dashboard.
 */
class OrderPipelineChartTests {

	private static final Path EXTERNAL_SERVICES = Charts.EXAMPLES.resolve("external-services.yaml");

	private static final Path GATEWAY_AUTOSCALING = Charts.EXAMPLES.resolve("gateway-autoscaling.yaml");

	private static final Path KAFKA = Charts.EXAMPLES.resolve("kafka.yaml");

	@Test
	void rendersBothServicesAndTheDashboardWithDefaultValues() {
		Manifests manifests = Charts.render(Charts.UMBRELLA);

		assertThat(manifests.ofKind(Deployment.class)).extracting((deployment) -> deployment.getMetadata().getName())
			.containsExactlyInAnyOrder("orders-order-source", "orders-order-sink");
		assertThat(manifests.ofKind(Service.class)).hasSize(2);
		assertThat(manifests.find(ConfigMap.class, "orders-order-pipeline-dashboard")).isPresent();
		assertThat(manifests.kinds()).doesNotContain("Ingress", "HTTPRoute", "HorizontalPodAutoscaler",
				"ServiceMonitor");
	}

	@ParameterizedTest
	@ValueSource(strings = { "external-services.yaml", "gateway-autoscaling.yaml", "kafka.yaml" })
	void rendersTheExampleValues(String example) {
		Manifests manifests = Charts.render(Charts.UMBRELLA, Charts.EXAMPLES.resolve(example));

		assertThat(manifests.ofKind(Deployment.class)).hasSize(2);
		assertThat(manifests.all()).extracting(HasMetadata::getKind)
			.containsAnyOf("Ingress", "HTTPRoute")
			.contains("NetworkPolicy", "PodDisruptionBudget", "ConfigMap", "ServiceAccount");
		Set<String> names = manifests.all()
			.stream()
			.map((manifest) -> manifest.getKind() + "/" + manifest.getMetadata().getName())
			.collect(Collectors.toSet());
		assertThat(names).hasSize(manifests.all().size());
	}

	@Test
	void rendersWhenAKeyWhoseDefaultIsNullIsDropped() {
		// Helm 3.17 drops a key whose default is null before it checks the schema, as
		// --set key=null does on every Helm.
		Manifests manifests = Charts.render(Charts.UMBRELLA,
				Charts.values("order-sink.podDisruptionBudget.minAvailable", "null",
						"order-source.podDisruptionBudget.minAvailable", "null"));

		assertThat(manifests.ofKind(PodDisruptionBudget.class)).hasSize(2)
			.allSatisfy((budget) -> assertThat(budget.getSpec().getMaxUnavailable()).isEqualTo(new IntOrString(1)));
	}

	@Test
	void ingressSendsEachPathPrefixToOneServiceOnTheHostAndItsTls() {
		Manifests manifests = Charts.render(Charts.UMBRELLA, EXTERNAL_SERVICES);
		Ingress ingress = manifests.one(Ingress.class);
		List<HTTPIngressPath> paths = ingress.getSpec().getRules().get(0).getHttp().getPaths();

		assertThat(ingress.getSpec().getRules()).singleElement()
			.satisfies((rule) -> assertThat(rule.getHost()).isEqualTo("orders.example.com"));
		assertThat(ingress.getSpec().getTls()).singleElement().satisfies((tls) -> {
			assertThat(tls.getHosts()).containsExactly("orders.example.com");
			assertThat(tls.getSecretName()).isEqualTo("orders-example-com-tls");
		});
		assertThat(ingress.getSpec().getIngressClassName()).isEqualTo("nginx");
		assertThat(paths).extracting(
				(path) -> path.getPathType() + " " + path.getPath() + " -> " + path.getBackend().getService().getName())
			.containsExactly("Exact /orders -> orders-order-source", "Exact /queue/neworder -> orders-order-source",
					"Prefix /order-commands/ -> orders-order-source", "Prefix /orders/ -> orders-order-sink",
					"Prefix /senders/ -> orders-order-sink");
		for (HTTPIngressPath path : paths) {
			Service service = manifests.named(Service.class, path.getBackend().getService().getName());
			assertThat(service.getSpec().getPorts()).extracting(ServicePort::getName)
				.contains(path.getBackend().getService().getPort().getName());
		}
	}

	/**
	 * Live streams stay open for hours with a heartbeat every 15 s: the Ingress tells
	 * ingress-nginx neither to time out within an hour nor to buffer them, and an
	 * annotation of the operator's own wins.
	 */
	@Test
	void ingressKeepsLiveStreamsOpenAndUnbufferedUnlessTheOperatorSaysOtherwise() {
		assertThat(Charts.render(Charts.UMBRELLA, EXTERNAL_SERVICES).one(Ingress.class).getMetadata().getAnnotations())
			.containsEntry("nginx.ingress.kubernetes.io/proxy-read-timeout", "3600")
			.containsEntry("nginx.ingress.kubernetes.io/proxy-send-timeout", "3600")
			.containsEntry("nginx.ingress.kubernetes.io/proxy-buffering", "off")
			// A stream of orders of the most lines fits (ingress-nginx's
			// own default is 1m).
			.containsEntry("nginx.ingress.kubernetes.io/proxy-body-size", "8m");
		Ingress configured = Charts.render(Charts.UMBRELLA,
				Charts.values("ingress.enabled", true, "ingress.streams.readTimeoutSeconds", 86400,
						"ingress.maxBodySize", "32m",
						"ingress.annotations.nginx\\.ingress\\.kubernetes\\.io/proxy-buffering", "on",
						"ingress.annotations.cert-manager\\.io/cluster-issuer", "public"))
			.one(Ingress.class);
		assertThat(configured.getMetadata().getAnnotations())
			.containsEntry("nginx.ingress.kubernetes.io/proxy-read-timeout", "86400")
			.containsEntry("nginx.ingress.kubernetes.io/proxy-send-timeout", "86400")
			.containsEntry("nginx.ingress.kubernetes.io/proxy-buffering", "on")
			.containsEntry("nginx.ingress.kubernetes.io/proxy-body-size", "32m")
			.containsEntry("cert-manager.io/cluster-issuer", "public");
	}

	/**
	 * The HTTPRoute's rule to order-sink, which serves the live streams, has no request
	 * timeout ("0s" turns it off), unless the operator sets one; the source's rule keeps
	 * the Gateway's.
	 */
	@Test
	void httpRouteKeepsLiveStreamsOpen() {
		HTTPRoute route = Charts
			.render(Charts.UMBRELLA, Charts.values("httpRoute.enabled", true, "httpRoute.parentRefs[0].name", "public"))
			.one(HTTPRoute.class);
		assertThat(route.getSpec().getRules())
			.extracting((rule) -> rule.getBackendRefs().get(0).getName(),
					(rule) -> (rule.getTimeouts() != null) ? rule.getTimeouts().getRequest() : null)
			.containsExactly(tuple("orders-order-source", null), tuple("orders-order-sink", "0s"));
		HTTPRoute limited = Charts
			.render(Charts.UMBRELLA, Charts.values("httpRoute.enabled", true, "httpRoute.parentRefs[0].name", "public",
					"httpRoute.streamTimeout", "2h"))
			.one(HTTPRoute.class);
		assertThat(limited.getSpec().getRules().get(1).getTimeouts().getRequest()).isEqualTo("2h");
	}

	/**
	 * Every public route, served or reserved, reaches the service that serves it through
	 * the Ingress, which matches paths only.
	 */
	@Test
	void ingressSendsEveryPublicRouteToTheServiceThatServesIt() {
		Ingress ingress = Charts.render(Charts.UMBRELLA, EXTERNAL_SERVICES).one(Ingress.class);
		assertThat(PublicRoutes.all()).hasSizeGreaterThanOrEqualTo(7)
			.allSatisfy((route) -> assertThat(PublicRoutes.backend(ingress, route.example())).as(route.toString())
				.contains("orders-" + route.service()));
	}

	/**
	 * Every public route reaches the service that serves it through the HTTPRoute, with
	 * its own method and with any other: HEAD and the methods a route does not serve
	 * reach the same service, which answers them, as through the Ingress.
	 */
	@ParameterizedTest
	@ValueSource(strings = { "", "HEAD", "GET", "POST", "DELETE", "OPTIONS" })
	void httpRouteSendsEveryPublicRouteToTheServiceThatServesItWhateverTheMethod(String method) {
		HTTPRoute route = Charts
			.render(Charts.UMBRELLA, Charts.values("httpRoute.enabled", true, "httpRoute.parentRefs[0].name", "public"))
			.one(HTTPRoute.class);
		assertThat(PublicRoutes.all()).allSatisfy((publicRoute) -> {
			String sent = method.isEmpty() ? publicRoute.method() : method;
			assertThat(PublicRoutes.backend(route, sent, publicRoute.example())).as(sent + " " + publicRoute)
				.contains("orders-" + publicRoute.service());
		});
	}

	/**
	 * With one service left out, the other's routes still reach it. (The left-out
	 * service's routes reach nothing, except exactly /orders with the source left out:
	 * both specifications let the sink's prefix /orders/ cover it, and the sink refuses
	 * it.)
	 */
	@Test
	void withOneServiceLeftOutTheOthersRoutesStillReachIt() {
		Ingress withoutSink = Charts
			.render(Charts.UMBRELLA, Charts.values("ingress.enabled", true, "order-sink.enabled", false))
			.one(Ingress.class);
		HTTPRoute withoutSource = Charts
			.render(Charts.UMBRELLA,
					Charts.values("httpRoute.enabled", true, "httpRoute.parentRefs[0].name", "public",
							"order-source.enabled", false))
			.one(HTTPRoute.class);
		assertThat(PublicRoutes.all()).allSatisfy((route) -> {
			if (route.service().equals("order-source")) {
				assertThat(PublicRoutes.backend(withoutSink, route.example())).as(route.toString())
					.contains("orders-order-source");
			}
			else {
				assertThat(PublicRoutes.backend(withoutSource, route.method(), route.example())).as(route.toString())
					.contains("orders-order-sink");
				assertThat(PublicRoutes.backend(withoutSink, route.example())).as(route.toString()).isEmpty();
			}
		});
	}

	@Test
	void ingressLeavesOutADisabledServiceAndTheLegacyRouteWhenAsked() {
		Manifests manifests = Charts.render(Charts.UMBRELLA,
				Charts.values("ingress.enabled", true, "ingress.legacyRoute", false, "order-sink.enabled", false));

		assertThat(manifests.one(Ingress.class).getSpec().getRules().get(0).getHttp().getPaths())
			.extracting(HTTPIngressPath::getPath)
			.containsExactly("/orders", "/order-commands/");
		assertThat(manifests.one(Ingress.class).getSpec().getRules().get(0).getHost()).isNull();
		assertThat(manifests.ofKind(Deployment.class)).extracting((deployment) -> deployment.getMetadata().getName())
			.containsExactly("orders-order-source");
	}

	/**
	 * The example leaves the legacy route out.
	 */
	@Test
	void httpRouteMatchesPathsOnlyAndReachesEachServicesPort() {
		Manifests manifests = Charts.render(Charts.UMBRELLA, GATEWAY_AUTOSCALING);
		HTTPRoute route = manifests.one(HTTPRoute.class);
		List<HTTPRouteRule> rules = route.getSpec().getRules();

		assertThat(route.getSpec().getParentRefs()).singleElement().satisfies((parent) -> {
			assertThat(parent.getName()).isEqualTo("public");
			assertThat(parent.getSectionName()).isEqualTo("https");
		});
		assertThat(route.getSpec().getHostnames()).containsExactly("orders.example.com");
		assertThat(rules).hasSize(2);
		assertThat(rules.get(0).getMatches())
			.extracting(
					(match) -> match.getMethod() + " " + match.getPath().getType() + " " + match.getPath().getValue())
			.containsExactly("null Exact /orders", "null PathPrefix /order-commands/");
		assertThat(rules.get(1).getMatches())
			.extracting(
					(match) -> match.getMethod() + " " + match.getPath().getType() + " " + match.getPath().getValue())
			.containsExactly("null PathPrefix /orders/", "null PathPrefix /senders/");
		Map<String, Integer> backends = rules.stream()
			.flatMap((rule) -> rule.getBackendRefs().stream())
			.collect(Collectors.toMap((backend) -> backend.getName(), (backend) -> backend.getPort()));
		assertThat(backends)
			.containsExactlyInAnyOrderEntriesOf(Map.of("orders-order-source", 8000, "orders-order-sink", 8001));
		backends.forEach((name, port) -> assertThat(manifests.named(Service.class, name).getSpec().getPorts())
			.filteredOn((servicePort) -> servicePort.getName().equals("http"))
			.singleElement()
			.satisfies((servicePort) -> assertThat(servicePort.getPort()).isEqualTo(port)));
	}

	@Test
	void externalServicesExampleUsesExistingSecretsOnly() {
		Manifests manifests = Charts.render(Charts.UMBRELLA, EXTERNAL_SERVICES);

		assertThat(manifests.kinds()).doesNotContain("Secret");
		assertThat(manifests.ofKind(ServiceMonitor.class)).extracting((monitor) -> monitor.getMetadata().getLabels())
			.hasSize(2)
			.allSatisfy((labels) -> assertThat(labels).containsEntry("release", "kube-prometheus-stack"));
		assertThat(manifests.named(NetworkPolicy.class, "orders-order-source").getSpec().getIngress().get(0).getFrom())
			.singleElement()
			.satisfies((peer) -> assertThat(peer.getNamespaceSelector().getMatchLabels())
				.containsEntry("kubernetes.io/metadata.name", "ingress-nginx"));
	}

	@Test
	void kafkaExampleRunsBothServicesOnKafkaWithExistingSecretsOnly() {
		Manifests manifests = Charts.render(Charts.UMBRELLA, KAFKA);

		assertThat(manifests.kinds()).doesNotContain("Secret");
		assertThat(manifests.ofKind(Deployment.class)).hasSize(2).allSatisfy((deployment) -> {
			String name = deployment.getMetadata().getName().substring(Charts.RELEASE.length() + 1);
			Map<String, String> environment = ServiceChartsTests.environment(manifests, deployment);
			assertThat(environment).containsEntry("ORDERS_BINDER", "kafka")
				.containsEntry("ORDERS_KAFKA_PARTITIONS", "6")
				.containsEntry("SPRING_KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
				.containsEntry("SPRING_KAFKA_PROPERTIES_SASL_MECHANISM", "SCRAM-SHA-512")
				.containsEntry("KAFKA_USERNAME", "secretKeyRef:" + name + "-kafka/username")
				.containsEntry("KAFKA_PASSWORD", "secretKeyRef:" + name + "-kafka/password")
				.containsEntry("SPRING_KAFKA_SSL_TRUST_STORE_TYPE", "PEM");
			assertThat(environment.get("KAFKA_BOOTSTRAP_SERVERS")).startsWith("kafka-0.kafka.messaging.svc:9093,");
			assertThat(environment.keySet()).noneMatch((variable) -> variable.contains("RABBITMQ"));
			assertThat(deployment.getSpec().getTemplate().getSpec().getVolumes())
				.filteredOn((volume) -> volume.getSecret() != null)
				.anySatisfy((volume) -> assertThat(volume.getSecret().getSecretName()).isEqualTo("kafka-cluster-ca"));
		});
		assertThat(manifests.ofKind(NetworkPolicy.class)).hasSize(2)
			.allSatisfy((policy) -> assertThat(policy.getSpec().getEgress().get(1).getPorts()).singleElement()
				.satisfies((port) -> assertThat(port.getPort()).isEqualTo(new IntOrString(9093))));
	}

	@Test
	void aKafkaInstallNeedsNoRabbitMqPassword() {
		String rendered = Charts.withoutRequiredValues(Charts.UMBRELLA, bothOnKafka("global.signing.existingSecret",
				"order-signing", "global.signing.keyId", "k1", "order-sink.database.password", "db-s3cret"));

		assertThat(rendered).contains("kind: Deployment").doesNotContain("rabbitmq-password");
	}

	@Test
	void refusesBothServicesOnKafkaWithDifferentPartitionCounts() {
		assertThatExceptionOfType(IllegalStateException.class)
			.isThrownBy(() -> Charts.render(Charts.UMBRELLA, bothOnKafka("order-sink.kafka.partitions", 8)))
			.withMessageContaining("order-source.kafka.partitions (4) and order-sink.kafka.partitions (8) differ");
		Manifests agreed = Charts.render(Charts.UMBRELLA,
				bothOnKafka("order-sink.kafka.partitions", 8, "order-source.kafka.partitions", 8));
		assertThat(agreed.ofKind(Deployment.class)).hasSize(2)
			.allSatisfy((deployment) -> assertThat(ServiceChartsTests.environment(agreed, deployment))
				.containsEntry("ORDERS_KAFKA_PARTITIONS", "8"));
	}

	@Test
	void oneServiceMayUseKafkaWhenTheOtherIsLeftOut() {
		Manifests manifests = Charts.render(Charts.UMBRELLA, Charts.values("order-source.enabled", false,
				"order-sink.binder", "kafka", "order-sink.kafka.bootstrapServers", "kafka.messaging:9092"));

		assertThat(ServiceChartsTests.environment(manifests, manifests.one(Deployment.class)))
			.containsEntry("ORDERS_BINDER", "kafka");
	}

	@Test
	void notesNameTheKafkaTopicsAndWarnAboutSinkReplicasWithoutAPartition() {
		String onKafka = Charts.notes(Charts.UMBRELLA,
				bothOnKafka("order-source.readApiBaseUrl", "https://orders.example.com"));
		String tooManySinks = Charts.notes(Charts.UMBRELLA,
				bothOnKafka("order-source.readApiBaseUrl", "https://orders.example.com", "order-sink.replicaCount", 6));

		assertThat(onKafka).contains("Broker: Kafka at kafka.messaging:9092, topic create_order_queue")
			.contains("dead-letter topic create_order_queue.dlq")
			.doesNotContain("WARNING");
		assertThat(tooManySinks).contains("WARNING: up to 6 order-sink replicas share 4 partitions");
		assertThat(Charts.notes(Charts.UMBRELLA, Map.of())).doesNotContain("Kafka");
	}

	/**
	 * Values that put both services on Kafka, then the given ones.
	 * @param keysAndValues key, value, key, value...
	 * @return the values
	 */
	private static Map<String, Object> bothOnKafka(Object... keysAndValues) {
		Map<String, Object> values = Charts.values("order-source.binder", "kafka",
				"order-source.kafka.bootstrapServers", "kafka.messaging:9092", "order-sink.binder", "kafka",
				"order-sink.kafka.bootstrapServers", "kafka.messaging:9092");
		values.putAll(Charts.values(keysAndValues));
		return values;
	}

	@Test
	void dashboardIsAConfigMapForTheGrafanaSidecar() throws Exception {
		ConfigMap dashboard = Charts.render(Charts.UMBRELLA, Charts.values("dashboard.namespace", "monitoring"))
			.named(ConfigMap.class, "orders-order-pipeline-dashboard");

		assertThat(dashboard.getMetadata().getLabels()).containsEntry("grafana_dashboard", "1");
		assertThat(dashboard.getMetadata().getAnnotations()).containsEntry("grafana_folder", "Orders");
		assertThat(dashboard.getMetadata().getNamespace()).isEqualTo("monitoring");
		assertThat(dashboard.getData()).containsOnlyKeys("order-pipeline.json");
		assertThat(dashboard.getData().get("order-pipeline.json"))
			.isEqualTo(Files.readString(Charts.UMBRELLA.resolve("dashboards/order-pipeline.json")).strip());
	}

	@Test
	void notesWarnAboutWhatAnInstallStillNeeds() {
		String defaults = Charts.notes(Charts.UMBRELLA, Map.of());
		String configured = Charts.notes(Charts.UMBRELLA,
				Charts.values("ingress.enabled", true, "ingress.host", "orders.example.com",
						"order-source.readApiBaseUrl", "https://orders.example.com",
						"order-source.rabbitmq.existingSecret", "source-broker", "order-sink.rabbitmq.password",
						"s3cret", "order-sink.database.existingSecret", "orders-db"));

		assertThat(defaults).contains("service/orders-order-source", "service/orders-order-sink",
				"helm test orders --namespace orders", "WARNING: order-source.readApiBaseUrl is empty");
		assertThat(configured).contains("Public API (Ingress): http://orders.example.com/orders")
			.doesNotContain("WARNING");
	}

	@ParameterizedTest
	@ValueSource(strings = { "order-source.rabbitmq.password", "order-sink.rabbitmq.password",
			"order-sink.database.password", "order-sink.rabbitmqPolicy.password", "global.signing.existingSecret",
			"global.signing.keyId" })
	void refusesToRenderWithoutAPasswordOrTheSigningKeys(String key) {
		Path values = Charts.requiredValues(Charts.UMBRELLA);
		assertThatExceptionOfType(IllegalStateException.class)
			.isThrownBy(() -> Charts.withoutRequiredValues(Charts.UMBRELLA, Charts.values(key, ""), values))
			.withMessageContaining(key.substring(key.lastIndexOf('.', key.lastIndexOf('.') - 1) + 1) + " is required");
		assertThat(Charts.withoutRequiredValues(Charts.UMBRELLA, Map.of(), values)).contains("kind: Deployment");
	}

	@Test
	void mountsTheSigningSecretInBothServices() {
		Manifests manifests = Charts.render(Charts.UMBRELLA);
		assertThat(manifests.ofKind(Deployment.class)).hasSize(2).allSatisfy((deployment) -> {
			assertThat(deployment.getSpec().getTemplate().getSpec().getVolumes())
				.filteredOn((volume) -> volume.getSecret() != null)
				.anySatisfy((volume) -> assertThat(volume.getSecret().getSecretName()).isEqualTo("order-signing"));
			assertThat(deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv())
				.anySatisfy((env) -> assertThat(env.getName() + "=" + env.getValue())
					.isEqualTo("SPRING_CONFIG_IMPORT=configtree:/etc/order-pipeline/signing/"));
		});
		assertThat(manifests.named(Deployment.class, "orders-order-source")
			.getSpec()
			.getTemplate()
			.getSpec()
			.getContainers()
			.get(0)
			.getEnv()).anySatisfy(
					(env) -> assertThat(env.getName() + "=" + env.getValue()).isEqualTo("ORDERS_SIGNING_KEY_ID=k1"));
	}

	@Test
	void dashboardCanBeLeftOut() {
		assertThat(Charts.render(Charts.UMBRELLA, Charts.values("dashboard.enabled", false))
			.find(ConfigMap.class, "orders-order-pipeline-dashboard")).isEmpty();
	}

}
