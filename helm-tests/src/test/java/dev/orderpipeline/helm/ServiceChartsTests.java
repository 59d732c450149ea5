package dev.orderpipeline.helm;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What both services' charts must get right, checked on the rendered objects of each.
 */
class ServiceChartsTests {

	static List<ServiceChart> charts() {
		return ServiceChart.both().toList();
	}

	@ParameterizedTest
	@MethodSource("charts")
	void rendersTheServiceWithDefaultValues(ServiceChart chart) {
		Manifests manifests = Charts.render(chart.chart());

		assertThat(manifests.kinds()).containsExactlyInAnyOrder("Deployment", "Service", "ServiceAccount", "ConfigMap",
				"Secret", "PodDisruptionBudget", "NetworkPolicy");
		assertThat(manifests.all())
			.allSatisfy((manifest) -> assertThat(manifest.getMetadata().getName()).startsWith(chart.fullname()));
		Deployment deployment = manifests.one(Deployment.class);
		assertThat(deployment.getSpec().getReplicas()).isEqualTo(2);
		assertThat(container(deployment).getImage()).isEqualTo(chart.name() + ":0.1.0-SNAPSHOT");
	}

	@ParameterizedTest
	@MethodSource("charts")
	void probesCallTheActuatorGroupsOnTheManagementPort(ServiceChart chart) {
		Manifests manifests = Charts.render(chart.chart());
		Container container = container(manifests.one(Deployment.class));
		Map<String, Integer> ports = container.getPorts()
			.stream()
			.collect(Collectors.toMap(ContainerPort::getName, ContainerPort::getContainerPort));
		Map<String, String> settings = manifests.one(ConfigMap.class).getData();

		assertThat(ports)
			.containsExactlyInAnyOrderEntriesOf(Map.of("http", chart.httpPort(), "management", chart.managementPort()));
		assertThat(settings).containsEntry("SERVER_PORT", String.valueOf(chart.httpPort()))
			.containsEntry("MANAGEMENT_SERVER_PORT", String.valueOf(chart.managementPort()));
		assertThat(path(container.getStartupProbe())).isEqualTo("/actuator/health/liveness");
		assertThat(path(container.getLivenessProbe())).isEqualTo("/actuator/health/liveness");
		assertThat(path(container.getReadinessProbe())).isEqualTo("/actuator/health/readiness");
		for (Probe probe : List.of(container.getStartupProbe(), container.getLivenessProbe(),
				container.getReadinessProbe())) {
			assertThat(probe.getHttpGet().getPort()).isEqualTo(new IntOrString("management"));
		}
	}

	@ParameterizedTest
	@MethodSource("charts")
	void probesFollowThePortsWhenTheyChange(ServiceChart chart) {
		Manifests manifests = Charts.render(chart.chart(),
				Charts.values("containerPorts.http", 18080, "containerPorts.management", 18081));
		Container container = container(manifests.one(Deployment.class));
		ContainerPort management = container.getPorts()
			.stream()
			.filter((port) -> port.getName().equals(container.getReadinessProbe().getHttpGet().getPort().getStrVal()))
			.findFirst()
			.orElseThrow();

		assertThat(management.getContainerPort()).isEqualTo(18081);
		assertThat(manifests.one(ConfigMap.class).getData()).containsEntry("MANAGEMENT_SERVER_PORT", "18081")
			.containsEntry("SERVER_PORT", "18080");
	}

	@ParameterizedTest
	@MethodSource("charts")
	void servicePortsTargetNamedContainerPorts(ServiceChart chart) {
		Manifests manifests = Charts.render(chart.chart());
		Set<String> containerPorts = container(manifests.one(Deployment.class)).getPorts()
			.stream()
			.map(ContainerPort::getName)
			.collect(Collectors.toSet());
		List<ServicePort> servicePorts = manifests.one(Service.class).getSpec().getPorts();

		assertThat(servicePorts).extracting(ServicePort::getPort)
			.containsExactly(chart.httpPort(), chart.managementPort());
		assertThat(servicePorts)
			.allSatisfy((port) -> assertThat(containerPorts).contains(port.getTargetPort().getStrVal()));
	}

	@ParameterizedTest
	@MethodSource("charts")
	void labelsAndSelectorsAgree(ServiceChart chart) {
		Manifests manifests = Charts.render(chart.chart(), Charts.values("serviceMonitor.enabled", true));
		Deployment deployment = manifests.one(Deployment.class);
		Map<String, String> selector = deployment.getSpec().getSelector().getMatchLabels();
		Map<String, String> podLabels = deployment.getSpec().getTemplate().getMetadata().getLabels();
		Service service = manifests.one(Service.class);

		assertThat(selector).containsOnlyKeys("app.kubernetes.io/name", "app.kubernetes.io/instance")
			.containsEntry("app.kubernetes.io/name", chart.name())
			.containsEntry("app.kubernetes.io/instance", Charts.RELEASE);
		assertThat(podLabels).containsAllEntriesOf(selector);
		assertThat(service.getSpec().getSelector()).isEqualTo(selector);
		assertThat(manifests.one(PodDisruptionBudget.class).getSpec().getSelector().getMatchLabels())
			.isEqualTo(selector);
		assertThat(manifests.named(NetworkPolicy.class, chart.fullname()).getSpec().getPodSelector().getMatchLabels())
			.isEqualTo(selector);
		assertThat(deployment.getSpec().getTemplate().getSpec().getTopologySpreadConstraints())
			.allSatisfy((constraint) -> assertThat(constraint.getLabelSelector().getMatchLabels()).isEqualTo(selector));
		ServiceMonitor monitor = manifests.one(ServiceMonitor.class);
		assertThat(service.getMetadata().getLabels())
			.containsAllEntriesOf(monitor.getSpec().getSelector().getMatchLabels());
		assertThat(monitor.getSpec().getEndpoints()).singleElement().satisfies((endpoint) -> {
			assertThat(endpoint.getPort()).isEqualTo("management");
			assertThat(endpoint.getPath()).isEqualTo("/actuator/prometheus");
		});
		assertThat(service.getSpec().getPorts()).extracting(ServicePort::getName).contains("management");
		assertThat(manifests.all()).allSatisfy((manifest) -> assertThat(manifest.getMetadata().getLabels())
			.containsEntry("app.kubernetes.io/instance", Charts.RELEASE)
			.containsEntry("app.kubernetes.io/part-of", "order-pipeline")
			.containsEntry("helm.sh/chart", chart.name() + "-0.1.0"));
	}

	@ParameterizedTest
	@MethodSource("charts")
	void helperPodsNeverMatchTheServiceSelector(ServiceChart chart) {
		Manifests manifests = Charts.render(Charts.withHooksRendered(chart.chart()));
		Map<String, String> selector = manifests.one(Deployment.class).getSpec().getSelector().getMatchLabels();
		Pod test = manifests.named(Pod.class, chart.fullname() + "-test-readiness");
		List<Map<String, String>> helperPodLabels = new java.util.ArrayList<>();
		helperPodLabels.add(test.getMetadata().getLabels());
		manifests.ofKind(Job.class)
			.forEach((job) -> helperPodLabels.add(job.getSpec().getTemplate().getMetadata().getLabels()));

		assertThat(helperPodLabels).isNotEmpty()
			.allSatisfy((labels) -> assertThat(labels.entrySet().containsAll(selector.entrySet())).isFalse());
	}

	@ParameterizedTest
	@MethodSource("charts")
	void helmTestChecksReadinessThroughTheService(ServiceChart chart) {
		Manifests manifests = Charts.render(Charts.withHooksRendered(chart.chart()));
		Pod test = manifests.named(Pod.class, chart.fullname() + "-test-readiness");
		Service service = manifests.one(Service.class);
		int managementPort = service.getSpec()
			.getPorts()
			.stream()
			.filter((port) -> port.getName().equals("management"))
			.findFirst()
			.orElseThrow()
			.getPort();

		assertThat(test.getMetadata().getAnnotations()).containsEntry(Charts.RENDERED_HOOK_ANNOTATION, "test");
		assertThat(test.getSpec().getRestartPolicy()).isEqualTo("Never");
		assertThat(test.getSpec().getContainers()).singleElement()
			.satisfies((container) -> assertThat(container.getCommand()).first().isEqualTo("curl"))
			.satisfies((container) -> assertThat(container.getCommand()).contains("--fail")
				.last()
				.isEqualTo("http://" + service.getMetadata().getName() + ":" + managementPort
						+ "/actuator/health/readiness"));
		assertRestricted(test.getSpec());
	}

	@ParameterizedTest
	@MethodSource("charts")
	void runsRestrictedWithAWritableTmp(ServiceChart chart) {
		Manifests manifests = Charts.render(chart.chart());
		PodSpec pod = manifests.one(Deployment.class).getSpec().getTemplate().getSpec();
		ServiceAccount account = manifests.one(ServiceAccount.class);

		assertRestricted(pod);
		assertThat(pod.getServiceAccountName()).isEqualTo(account.getMetadata().getName());
		assertThat(account.getAutomountServiceAccountToken()).isFalse();
		Volume tmp = pod.getVolumes()
			.stream()
			.filter((volume) -> volume.getEmptyDir() != null)
			.findFirst()
			.orElseThrow();
		assertThat(pod.getContainers().get(0).getVolumeMounts()).anySatisfy(
				(mount) -> assertThat(mount.getName() + ":" + mount.getMountPath()).isEqualTo(tmp.getName() + ":/tmp"))
			.as("the only writable mount is /tmp")
			.allSatisfy((mount) -> assertThat(
					mount.getName().equals(tmp.getName()) || Boolean.TRUE.equals(mount.getReadOnly()))
				.isTrue());
		assertThat(pod.getContainers().get(0).getResources().getLimits()).containsKey("memory");
	}

	@ParameterizedTest
	@MethodSource("charts")
	void sizesTheHeapFromTheMemoryLimit(ServiceChart chart) {
		Manifests defaults = Charts.render(chart.chart());
		assertThat(env(defaults, "JAVA_TOOL_OPTIONS")).startsWith("-Xmx204m ").contains("-XX:+UseSerialGC");
		assertThat(env(defaults, "MALLOC_ARENA_MAX")).isEqualTo("2");
		assertThat(env(Charts.render(chart.chart(), Charts.values("resources.limits.memory", "1Gi",
				"resources.requests.memory", "1Gi", "jvm.heapPercentage", 50)), "JAVA_TOOL_OPTIONS"))
			.startsWith("-Xmx512m ");
		assertThat(
				env(Charts.render(chart.chart(), Charts.values("resources.limits.memory", "1G")), "JAVA_TOOL_OPTIONS"))
			.startsWith("-Xmx381m ");
	}

	@ParameterizedTest
	@MethodSource("charts")
	void mallocArenasCanBeSet(ServiceChart chart) {
		assertThat(env(Charts.render(chart.chart(), Charts.values("jvm.mallocArenaMax", 4)), "MALLOC_ARENA_MAX"))
			.isEqualTo("4");
	}

	@ParameterizedTest
	@MethodSource("charts")
	void gracePeriodCoversThePreStopSleepAndTheShutdownPhase(ServiceChart chart) {
		Manifests manifests = Charts.render(chart.chart(), Charts.values("shutdown.preStopSleepSeconds", 7,
				"shutdown.timeoutPerShutdownPhaseSeconds", 40, "shutdown.marginSeconds", 4));
		PodSpec pod = manifests.one(Deployment.class).getSpec().getTemplate().getSpec();

		assertThat(pod.getContainers().get(0).getLifecycle().getPreStop().getSleep().getSeconds()).isEqualTo(7);
		assertThat(manifests.one(ConfigMap.class).getData())
			.containsEntry("SPRING_LIFECYCLE_TIMEOUT_PER_SHUTDOWN_PHASE", "40s");
		assertThat(pod.getTerminationGracePeriodSeconds()).isEqualTo(7 + 40 + 4);
	}

	@ParameterizedTest
	@MethodSource("charts")
	void podsRollWhenTheSettingsOrTheCredentialsChange(ServiceChart chart) {
		Map<String, String> defaults = podAnnotations(Charts.render(chart.chart()));
		Map<String, String> otherQueue = podAnnotations(
				Charts.render(chart.chart(), Charts.values("queue", "orders_v2")));
		Map<String, String> otherPassword = podAnnotations(
				Charts.render(chart.chart(), Charts.values("rabbitmq.password", "s3cret")));
		Map<String, String> moreReplicas = podAnnotations(
				Charts.render(chart.chart(), Charts.values("replicaCount", 5)));

		assertThat(defaults).containsKeys("checksum/config", "checksum/secret");
		assertThat(otherQueue.get("checksum/config")).isNotEqualTo(defaults.get("checksum/config"));
		assertThat(otherQueue.get("checksum/secret")).isEqualTo(defaults.get("checksum/secret"));
		assertThat(otherPassword.get("checksum/secret")).isNotEqualTo(defaults.get("checksum/secret"));
		assertThat(otherPassword.get("checksum/config")).isEqualTo(defaults.get("checksum/config"));
		assertThat(moreReplicas).isEqualTo(defaults);
	}

	@ParameterizedTest
	@MethodSource("charts")
	void theHorizontalPodAutoscalerOwnsTheReplicaCount(ServiceChart chart) {
		Manifests manifests = Charts.render(chart.chart(),
				Charts.values("autoscaling.enabled", true, "autoscaling.minReplicas", 3, "autoscaling.maxReplicas", 7));
		Deployment deployment = manifests.one(Deployment.class);
		HorizontalPodAutoscaler autoscaler = manifests.one(HorizontalPodAutoscaler.class);

		assertThat(deployment.getSpec().getReplicas()).isNull();
		assertThat(autoscaler.getApiVersion()).isEqualTo("autoscaling/v2");
		assertThat(autoscaler.getSpec().getScaleTargetRef().getKind()).isEqualTo("Deployment");
		assertThat(autoscaler.getSpec().getScaleTargetRef().getName()).isEqualTo(deployment.getMetadata().getName());
		assertThat(autoscaler.getSpec().getMinReplicas()).isEqualTo(3);
		assertThat(autoscaler.getSpec().getMaxReplicas()).isEqualTo(7);
		assertThat(autoscaler.getSpec().getMetrics()).singleElement()
			.satisfies((metric) -> assertThat(metric.getResource().getName()).isEqualTo("cpu"));
	}

	@ParameterizedTest
	@MethodSource("charts")
	void disruptionBudgetLetsOnePodGoUnlessToldOtherwise(ServiceChart chart) {
		PodDisruptionBudget defaults = Charts.render(chart.chart()).one(PodDisruptionBudget.class);
		PodDisruptionBudget half = Charts
			.render(chart.chart(), Charts.values("podDisruptionBudget.minAvailable", "50%"))
			.one(PodDisruptionBudget.class);

		assertThat(defaults.getSpec().getMaxUnavailable()).isEqualTo(new IntOrString(1));
		assertThat(defaults.getSpec().getMinAvailable()).isNull();
		assertThat(half.getSpec().getMinAvailable()).isEqualTo(new IntOrString("50%"));
		assertThat(half.getSpec().getMaxUnavailable()).isNull();
		assertThat(Charts.render(chart.chart(), Charts.values("podDisruptionBudget.enabled", false))
			.ofKind(PodDisruptionBudget.class)).isEmpty();
	}

	@ParameterizedTest
	@MethodSource("charts")
	void serviceMonitorIsSwitchedByItsValue(ServiceChart chart) {
		assertThat(Charts.render(chart.chart(), Charts.values("serviceMonitor.enabled", true))
			.ofKind(ServiceMonitor.class)).hasSize(1);
		assertThat(Charts.render(chart.chart(), Charts.values("serviceMonitor.enabled", false))
			.ofKind(ServiceMonitor.class)).isEmpty();
		// "auto": helm template knows no CRDs, so the ServiceMonitor API is absent.
		assertThat(Charts.render(chart.chart(), Charts.values("serviceMonitor.enabled", "auto"))
			.ofKind(ServiceMonitor.class)).isEmpty();
	}

	@ParameterizedTest
	@MethodSource("charts")
	void egressIsLimitedToDnsAndTheBroker(ServiceChart chart) {
		NetworkPolicy policy = Charts.render(chart.chart(), Charts.values("rabbitmq.port", 5671))
			.named(NetworkPolicy.class, chart.fullname());

		assertThat(policy.getSpec().getPolicyTypes()).containsExactly("Ingress", "Egress");
		List<NetworkPolicyEgressRule> egress = policy.getSpec().getEgress();
		assertThat(ports(egress.get(0))).containsExactly("53/UDP", "53/TCP");
		assertThat(egress.get(0).getTo()).singleElement()
			.satisfies(
					(peer) -> assertThat(peer.getPodSelector().getMatchLabels()).containsEntry("k8s-app", "kube-dns"));
		assertThat(ports(egress.get(1))).containsExactly("5671/TCP");
		assertThat(egress).flatExtracting(ServiceChartsTests::ports).doesNotContain("443/TCP", "4318/TCP");
	}

	@ParameterizedTest
	@MethodSource("charts")
	void egressReachesTheTokenIssuerAndTheCollectorOnlyWhenSet(ServiceChart chart) {
		Manifests manifests = Charts.render(chart.chart(),
				Charts.values("auth.issuerUri", "https://login.example.com/realms/orders", "auth.audiences[0]",
						"orders-api", "networkPolicy.egress.tokenIssuer.to[0].ipBlock.cidr", "203.0.113.0/24",
						"tracing.otlpEndpoint", "http://collector.observability:4318/v1/traces"));
		List<NetworkPolicyEgressRule> egress = manifests.named(NetworkPolicy.class, chart.fullname())
			.getSpec()
			.getEgress();
		Map<String, String> settings = manifests.one(ConfigMap.class).getData();

		assertThat(egress).filteredOn((rule) -> ports(rule).contains("443/TCP"))
			.singleElement()
			.satisfies((rule) -> assertThat(rule.getTo()).singleElement()
				.satisfies((peer) -> assertThat(peer.getIpBlock().getCidr()).isEqualTo("203.0.113.0/24")));
		assertThat(egress).filteredOn((rule) -> ports(rule).contains("4318/TCP")).hasSize(1);
		assertThat(settings)
			.containsEntry("SPRING_SECURITY_OAUTH2_RESOURCESERVER_JWT_ISSUER_URI",
					"https://login.example.com/realms/orders")
			.containsEntry("SPRING_SECURITY_OAUTH2_RESOURCESERVER_JWT_AUDIENCES", "orders-api")
			.containsEntry("MANAGEMENT_OPENTELEMETRY_TRACING_EXPORT_OTLP_ENDPOINT",
					"http://collector.observability:4318/v1/traces")
			.containsEntry("MANAGEMENT_TRACING_SAMPLING_PROBABILITY", "0.1");
		assertThat(Charts.render(chart.chart()).one(ConfigMap.class).getData()).doesNotContainKeys(
				"SPRING_SECURITY_OAUTH2_RESOURCESERVER_JWT_ISSUER_URI",
				"MANAGEMENT_OPENTELEMETRY_TRACING_EXPORT_OTLP_ENDPOINT");
	}

	@ParameterizedTest
	@MethodSource("charts")
	void managementPortAdmitsTheMonitoringNamespaceAndTheReleasesOwnByDefault(ServiceChart chart) {
		List<NetworkPolicyPeer> byDefault = managementPeers(Charts.render(chart.chart()), chart);
		List<NetworkPolicyPeer> elsewhere = managementPeers(Charts.render(chart.chart(),
				Charts.values("networkPolicy.ingress.monitoringNamespace", "observability")), chart);

		assertThat(byDefault).hasSize(3)
			.filteredOn((peer) -> peer.getNamespaceSelector() != null)
			.singleElement()
			.satisfies((peer) -> assertThat(peer.getNamespaceSelector().getMatchLabels())
				.containsExactly(Map.entry("kubernetes.io/metadata.name", "monitoring")));
		assertThat(byDefault).filteredOn((peer) -> peer.getNamespaceSelector() == null)
			.extracting((peer) -> peer.getPodSelector().getMatchLabels())
			.as("this namespace's pods, and the helm test pod")
			.containsExactlyInAnyOrder(Map.of(),
					Map.of("app.kubernetes.io/component", "test", "app.kubernetes.io/instance", Charts.RELEASE));
		assertThat(elsewhere).filteredOn((peer) -> peer.getNamespaceSelector() != null)
			.singleElement()
			.satisfies((peer) -> assertThat(peer.getNamespaceSelector().getMatchLabels())
				.containsEntry("kubernetes.io/metadata.name", "observability"));
	}

	private static List<NetworkPolicyPeer> managementPeers(Manifests manifests, ServiceChart chart) {
		return manifests.named(NetworkPolicy.class, chart.fullname())
			.getSpec()
			.getIngress()
			.stream()
			.filter((rule) -> rule.getPorts().get(0).getPort().equals(new IntOrString("management")))
			.findFirst()
			.orElseThrow()
			.getFrom();
	}

	@ParameterizedTest
	@MethodSource("charts")
	void managementPortAdmitsPrometheusAndTheHelmTestWhenRestricted(ServiceChart chart) {
		NetworkPolicy policy = Charts
			.render(chart.chart(),
					Charts.values("networkPolicy.ingress.managementFrom[0].namespaceSelector.matchLabels.name",
							"monitoring"))
			.named(NetworkPolicy.class, chart.fullname());

		assertThat(policy.getSpec().getIngress()).hasSize(2);
		assertThat(policy.getSpec().getIngress().get(0).getFrom()).isNullOrEmpty();
		assertThat(policy.getSpec().getIngress().get(1).getPorts()).singleElement()
			.satisfies((port) -> assertThat(port.getPort()).isEqualTo(new IntOrString("management")));
		assertThat(policy.getSpec().getIngress().get(1).getFrom()).hasSize(2)
			.filteredOn((peer) -> peer.getPodSelector() != null)
			.singleElement()
			.satisfies((peer) -> assertThat(peer.getPodSelector().getMatchLabels())
				.containsEntry("app.kubernetes.io/component", "test")
				.containsEntry("app.kubernetes.io/instance", Charts.RELEASE));
	}

	@ParameterizedTest
	@MethodSource("charts")
	void brokerCredentialsComeFromTheChartsSecretOrAnExistingOne(ServiceChart chart) {
		Manifests own = Charts.render(chart.chart(), Charts.values("rabbitmq.password", "s3cret"));
		Secret secret = own.named(Secret.class, chart.fullname());
		EnvVar password = envVar(own, "SPRING_RABBITMQ_PASSWORD");

		assertThat(password.getValueFrom().getSecretKeyRef().getName()).isEqualTo(chart.fullname());
		assertThat(secret.getData()).containsKey(password.getValueFrom().getSecretKeyRef().getKey());
		assertThat(decode(secret.getData().get(password.getValueFrom().getSecretKeyRef().getKey())))
			.isEqualTo("s3cret");
		assertThat(decode(secret.getData()
			.get(envVar(own, "SPRING_RABBITMQ_USERNAME").getValueFrom().getSecretKeyRef().getKey())))
			.isEqualTo(chart.name());

		Manifests existing = Charts.render(chart.chart(),
				Charts.values("rabbitmq.existingSecret", "broker-user", "rabbitmq.existingSecretPasswordKey", "pass"));
		assertThat(envVar(existing, "SPRING_RABBITMQ_PASSWORD").getValueFrom().getSecretKeyRef())
			.satisfies((ref) -> assertThat(ref.getName()).isEqualTo("broker-user"))
			.satisfies((ref) -> assertThat(ref.getKey()).isEqualTo("pass"));
		assertThat(envVar(existing, "SPRING_RABBITMQ_USERNAME").getValueFrom().getSecretKeyRef().getKey())
			.isEqualTo("username");
		assertThat(existing.ofKind(Secret.class)).allSatisfy(
				(other) -> assertThat(other.getData()).doesNotContainKeys("rabbitmq-username", "rabbitmq-password"));
	}

	@ParameterizedTest
	@MethodSource("charts")
	void brokerSettingsReachTheApplication(ServiceChart chart) {
		Map<String, String> settings = Charts
			.render(chart.chart(),
					Charts.values("rabbitmq.host", "rabbitmq.messaging", "rabbitmq.virtualHost", "orders",
							"rabbitmq.tls", true, "logging.structuredFormat", "ecs", "extraConfig.ORDERS_EXTRA", "x"))
			.one(ConfigMap.class)
			.getData();

		assertThat(settings).containsEntry("SPRING_RABBITMQ_HOST", "rabbitmq.messaging")
			.containsEntry("SPRING_RABBITMQ_PORT", "5672")
			.containsEntry("SPRING_RABBITMQ_VIRTUAL_HOST", "orders")
			.containsEntry("SPRING_RABBITMQ_SSL_ENABLED", "true")
			.containsEntry("ORDERS_QUEUE", "create_order_queue")
			.containsEntry("LOGGING_STRUCTURED_FORMAT_CONSOLE", "ecs")
			.containsEntry("ORDERS_EXTRA", "x");
	}

	@ParameterizedTest
	@MethodSource("charts")
	void rabbitMqBinderRendersNothingOfKafka(ServiceChart chart) {
		Manifests manifests = Charts.render(chart.chart());
		Deployment deployment = manifests.one(Deployment.class);
		Map<String, String> environment = environment(manifests, deployment);

		// No ORDERS_BINDER: rabbit is the application's default.
		assertThat(environment).doesNotContainKey("ORDERS_BINDER")
			.containsKeys("SPRING_RABBITMQ_HOST", "SPRING_RABBITMQ_USERNAME", "SPRING_RABBITMQ_PASSWORD");
		assertThat(environment.keySet()).noneMatch((name) -> name.contains("KAFKA"));
		assertThat(deployment.getSpec().getTemplate().getSpec().getVolumes())
			.noneMatch((volume) -> volume.getName().contains("kafka"));
		assertThat(Charts.template(chart.chart(), Map.of())).doesNotContainIgnoringCase("kafka");
	}

	@ParameterizedTest
	@MethodSource("charts")
	void kafkaBinderReplacesRabbitMqEntirely(ServiceChart chart) {
		String rendered = Charts.template(chart.chart(), kafkaValues());
		Manifests manifests = Manifests.parse(rendered);
		Deployment deployment = manifests.one(Deployment.class);
		Map<String, String> environment = environment(manifests, deployment);

		assertThat(environment).containsEntry("ORDERS_BINDER", "kafka")
			.containsEntry("KAFKA_BOOTSTRAP_SERVERS", "kafka-0.kafka.messaging:9092,kafka-1.kafka.messaging:9092")
			.containsEntry("ORDERS_KAFKA_PARTITIONS", "4")
			.containsEntry("SPRING_KAFKA_SECURITY_PROTOCOL", "PLAINTEXT")
			.containsEntry("ORDERS_QUEUE", "create_order_queue")
			.doesNotContainKeys("SPRING_PROFILES_ACTIVE", "SPRING_KAFKA_PROPERTIES_SASL_MECHANISM",
					"SPRING_KAFKA_PROPERTIES_SASL_JAAS_CONFIG", "SPRING_KAFKA_SSL_TRUST_STORE_LOCATION");
		assertThat(environment.keySet()).noneMatch((name) -> name.contains("RABBITMQ"));
		assertThat(environment.values()).as("no RabbitMQ Secret reference")
			.noneMatch((value) -> value != null && value.contains("rabbitmq"));
		assertThat(manifests.ofKind(Secret.class)).allSatisfy(
				(secret) -> assertThat(secret.getData()).doesNotContainKeys("rabbitmq-username", "rabbitmq-password"));
		// The RabbitMQ password the required values give is not used at all.
		assertThat(rendered).doesNotContainIgnoringCase("rabbit")
			.doesNotContain("broker-password")
			.doesNotContain(java.util.Base64.getEncoder()
				.encodeToString("broker-password".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
	}

	@ParameterizedTest
	@MethodSource("charts")
	void kafkaSaslCredentialsComeOnlyFromTheUsersSecret(ServiceChart chart) {
		String rendered = Charts.template(chart.chart(),
				kafkaValues("kafka.securityProtocol", "SASL_SSL", "kafka.sasl.mechanism", "SCRAM-SHA-512",
						"kafka.sasl.existingSecret", "orders-kafka-user", "kafka.sasl.existingSecretPasswordKey",
						"secret"));
		Manifests manifests = Manifests.parse(rendered);
		Map<String, String> settings = manifests.one(ConfigMap.class).getData();
		List<String> names = container(manifests.one(Deployment.class)).getEnv().stream().map(EnvVar::getName).toList();

		assertThat(settings).containsEntry("SPRING_KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
			.containsEntry("SPRING_KAFKA_PROPERTIES_SASL_MECHANISM", "SCRAM-SHA-512");
		assertThat(settings.keySet()).noneMatch((name) -> name.contains("JAAS") || name.contains("PASSWORD"));
		assertThat(envVar(manifests, "KAFKA_USERNAME").getValueFrom().getSecretKeyRef())
			.satisfies((ref) -> assertThat(ref.getName()).isEqualTo("orders-kafka-user"))
			.satisfies((ref) -> assertThat(ref.getKey()).isEqualTo("username"));
		assertThat(envVar(manifests, "KAFKA_PASSWORD").getValueFrom().getSecretKeyRef())
			.satisfies((ref) -> assertThat(ref.getName()).isEqualTo("orders-kafka-user"))
			.satisfies((ref) -> assertThat(ref.getKey()).isEqualTo("secret"));
		assertThat(envVar(manifests, "KAFKA_PASSWORD").getValue()).isNull();
		// The container expands the references from the variables before the line.
		assertThat(env(manifests, "SPRING_KAFKA_PROPERTIES_SASL_JAAS_CONFIG")).isEqualTo(
				"org.apache.kafka.common.security.scram.ScramLoginModule required username=\"$(KAFKA_USERNAME)\" password=\"$(KAFKA_PASSWORD)\";");
		assertThat(names.indexOf("KAFKA_USERNAME")).isNotNegative()
			.isLessThan(names.indexOf("SPRING_KAFKA_PROPERTIES_SASL_JAAS_CONFIG"));
		assertThat(names.indexOf("KAFKA_PASSWORD")).isNotNegative()
			.isLessThan(names.indexOf("SPRING_KAFKA_PROPERTIES_SASL_JAAS_CONFIG"));
		assertThat(container(manifests.one(Deployment.class)).getEnv())
			.filteredOn((variable) -> variable.getName().contains("PASSWORD"))
			.isNotEmpty()
			.allSatisfy((variable) -> {
				assertThat(variable.getValue()).isNull();
				assertThat(variable.getValueFrom().getSecretKeyRef()).isNotNull();
			});
		assertThat(rendered).doesNotContain("broker-password");

		Manifests plain = Charts.render(chart.chart(), kafkaValues("kafka.securityProtocol", "SASL_PLAINTEXT",
				"kafka.sasl.mechanism", "PLAIN", "kafka.sasl.existingSecret", "orders-kafka-user"));
		assertThat(env(plain, "SPRING_KAFKA_PROPERTIES_SASL_JAAS_CONFIG"))
			.startsWith("org.apache.kafka.common.security.plain.PlainLoginModule required ");
		assertThat(plain.one(ConfigMap.class).getData()).containsEntry("SPRING_KAFKA_PROPERTIES_SASL_MECHANISM",
				"PLAIN");
	}

	@ParameterizedTest
	@MethodSource("charts")
	void kafkaBrokersCaFromASecretIsMountedAndTrusted(ServiceChart chart) {
		Manifests manifests = Charts.render(chart.chart(), kafkaValues("kafka.securityProtocol", "SSL",
				"kafka.tls.caSecret", "kafka-cluster-ca", "kafka.tls.caSecretKey", "ca.pem"));
		Map<String, String> settings = manifests.one(ConfigMap.class).getData();
		PodSpec pod = manifests.one(Deployment.class).getSpec().getTemplate().getSpec();

		assertThat(settings).containsEntry("SPRING_KAFKA_SECURITY_PROTOCOL", "SSL")
			.containsEntry("SPRING_KAFKA_SSL_TRUST_STORE_LOCATION", "file:/etc/order-pipeline/kafka-ca/ca.crt")
			.containsEntry("SPRING_KAFKA_SSL_TRUST_STORE_TYPE", "PEM");
		assertThat(pod.getVolumes()).filteredOn((volume) -> "kafka-ca".equals(volume.getName()))
			.singleElement()
			.satisfies((volume) -> {
				assertThat(volume.getSecret().getSecretName()).isEqualTo("kafka-cluster-ca");
				assertThat(volume.getSecret().getItems()).singleElement()
					.satisfies((item) -> assertThat(item.getKey() + "->" + item.getPath()).isEqualTo("ca.pem->ca.crt"));
			});
		assertThat(pod.getContainers().get(0).getVolumeMounts())
			.filteredOn((mount) -> "kafka-ca".equals(mount.getName()))
			.singleElement()
			.satisfies((mount) -> {
				assertThat(mount.getMountPath()).isEqualTo("/etc/order-pipeline/kafka-ca");
				assertThat(mount.getReadOnly()).isTrue();
			});
		assertThat(Charts.render(chart.chart(), kafkaValues("kafka.securityProtocol", "SSL"))
			.one(ConfigMap.class)
			.getData())
			.doesNotContainKeys("SPRING_KAFKA_SSL_TRUST_STORE_LOCATION", "SPRING_KAFKA_SSL_TRUST_STORE_TYPE");
	}

	@ParameterizedTest
	@MethodSource("charts")
	void egressReachesTheKafkaBrokersOnTheirPorts(ServiceChart chart) {
		List<NetworkPolicyEgressRule> egress = Charts
			.render(chart.chart(),
					kafkaValues("kafka.bootstrapServers", "kafka-0.kafka:9093,kafka-1.kafka:9093,kafka-2.kafka:9094",
							"networkPolicy.egress.broker.to[0].ipBlock.cidr", "10.30.0.0/16"))
			.named(NetworkPolicy.class, chart.fullname())
			.getSpec()
			.getEgress();

		assertThat(ports(egress.get(1))).containsExactly("9093/TCP", "9094/TCP");
		assertThat(egress.get(1).getTo()).singleElement()
			.satisfies((peer) -> assertThat(peer.getIpBlock().getCidr()).isEqualTo("10.30.0.0/16"));
		assertThat(egress).flatExtracting(ServiceChartsTests::ports).doesNotContain("5672/TCP");
	}

	/**
	 * Values that put a service chart on Kafka, then the given ones.
	 * @param keysAndValues key, value, key, value...
	 * @return the values
	 */
	static Map<String, Object> kafkaValues(Object... keysAndValues) {
		Map<String, Object> values = Charts.values("binder", "kafka", "kafka.bootstrapServers",
				"kafka-0.kafka.messaging:9092,kafka-1.kafka.messaging:9092");
		values.putAll(Charts.values(keysAndValues));
		return values;
	}

	/**
	 * The container's environment as the application gets it: the ConfigMaps it reads
	 * whole, then its own variables (one from a Secret as {@code secretKeyRef:name/key}).
	 * @param manifests the rendered manifests
	 * @param deployment one of their Deployments
	 * @return the variables by name
	 */
	static Map<String, String> environment(Manifests manifests, Deployment deployment) {
		Container container = container(deployment);
		Map<String, String> environment = new LinkedHashMap<>();
		for (EnvFromSource source : container.getEnvFrom()) {
			environment.putAll(manifests.named(ConfigMap.class, source.getConfigMapRef().getName()).getData());
		}
		for (EnvVar variable : container.getEnv()) {
			if (variable.getValueFrom() == null) {
				environment.put(variable.getName(), variable.getValue());
			}
			else if (variable.getValueFrom().getSecretKeyRef() != null) {
				environment.put(variable.getName(),
						"secretKeyRef:" + variable.getValueFrom().getSecretKeyRef().getName() + "/"
								+ variable.getValueFrom().getSecretKeyRef().getKey());
			}
			else {
				environment.put(variable.getName(), "valueFrom");
			}
		}
		return environment;
	}

	static void assertRestricted(PodSpec pod) {
		assertThat(pod.getAutomountServiceAccountToken()).isFalse();
		assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
		assertThat(pod.getSecurityContext().getRunAsUser()).isPositive();
		assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
		assertThat(pod.getContainers()).allSatisfy((container) -> {
			assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
			assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
			assertThat(container.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
			assertThat(container.getResources().getLimits()).containsKey("memory");
		});
	}

	static Container container(Deployment deployment) {
		List<Container> containers = deployment.getSpec().getTemplate().getSpec().getContainers();
		assertThat(containers).hasSize(1);
		return containers.get(0);
	}

	static EnvVar envVar(Manifests manifests, String name) {
		return container(manifests.one(Deployment.class)).getEnv()
			.stream()
			.filter((variable) -> variable.getName().equals(name))
			.findFirst()
			.orElseThrow(() -> new AssertionError("No " + name));
	}

	static String env(Manifests manifests, String name) {
		return envVar(manifests, name).getValue();
	}

	static String decode(String base64) {
		return new String(java.util.Base64.getDecoder().decode(base64), java.nio.charset.StandardCharsets.UTF_8);
	}

	static List<String> ports(NetworkPolicyEgressRule rule) {
		return rule.getPorts().stream().map(ServiceChartsTests::port).toList();
	}

	private static String port(NetworkPolicyPort port) {
		IntOrString value = port.getPort();
		return ((value.getIntVal() != null) ? value.getIntVal().toString() : value.getStrVal()) + "/"
				+ port.getProtocol();
	}

	private static String path(Probe probe) {
		return probe.getHttpGet().getPath();
	}

	private static Map<String, String> podAnnotations(Manifests manifests) {
		return manifests.one(Deployment.class).getSpec().getTemplate().getMetadata().getAnnotations();
	}

}
