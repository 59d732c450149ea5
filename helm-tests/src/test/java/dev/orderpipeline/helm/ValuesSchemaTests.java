package dev.orderpipeline.helm;

import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Values the charts refuse: the schemas (types, enums, patterns, required keys, no
 * unknown keys, secure settings that cannot be switched off) and the templates' own
 * checks.
 */
class ValuesSchemaTests {

	static Stream<Arguments> refusedBySchema() {
		return Stream.of(refused(Charts.SOURCE, "serviceMonitor.enabled", "sometimes", "/serviceMonitor/enabled"),
				refused(Charts.SOURCE, "replicas", 3, "replicas"),
				refused(Charts.SOURCE, "rabbitmq.port", 70000, "/rabbitmq/port"),
				refused(Charts.SOURCE, "rabbitmq.port", "amqp", "/rabbitmq/port"),
				refused(Charts.SOURCE, "resources.limits.memory", "512MB", "/resources/limits/memory"),
				refused(Charts.SOURCE, "resources.limits.memory", null, "/resources/limits/memory"),
				refused(Charts.SOURCE, "securityContext.readOnlyRootFilesystem", false,
						"/securityContext/readOnlyRootFilesystem"),
				refused(Charts.SOURCE, "securityContext.allowPrivilegeEscalation", true,
						"/securityContext/allowPrivilegeEscalation"),
				refused(Charts.SOURCE, "podSecurityContext.runAsNonRoot", false, "/podSecurityContext/runAsNonRoot"),
				refused(Charts.SOURCE, "serviceAccount.automount", true, "/serviceAccount/automount"),
				refused(Charts.SOURCE, "image.pullPolicy", "Sometimes", "/image/pullPolicy"),
				refused(Charts.SOURCE, "image.repository", "Order Source", "/image/repository"),
				refused(Charts.SOURCE, "jvm.heapPercentage", 95, "/jvm/heapPercentage"),
				refused(Charts.SINK, "jvm.mallocArenaMax", 0, "/jvm/mallocArenaMax"),
				refused(Charts.SOURCE, "confirmTimeout", "5 seconds", "/confirmTimeout"),
				refused(Charts.SOURCE, "readApiBaseUrl", "ftp://orders.example.com", "/readApiBaseUrl"),
				refused(Charts.SOURCE, "auth.issuerUri", "login.example.com", "/auth/issuerUri"),
				refused(Charts.SOURCE, "tracing.samplingProbability", 2, "/tracing/samplingProbability"),
				refused(Charts.SOURCE, "logging.structuredFormat", "json", "/logging/structuredFormat"),
				refused(Charts.SOURCE, "extraConfig.lower_case", "x", "'lower_case' does not match pattern"),
				refused(Charts.SOURCE, "networkPolicy.egress.dns.ports[0].protocol", "ICMP",
						"/networkPolicy/egress/dns/ports/0/protocol"),
				refused(Charts.SOURCE, "podDisruptionBudget.maxUnavailable", "half",
						"/podDisruptionBudget/maxUnavailable"),
				refused(Charts.SINK, "database.sslMode", "maybe", "/database/sslMode"),
				refused(Charts.SINK, "database.port", 0, "/database/port"),
				refused(Charts.SINK, "writeTimeoutSeconds", 0, "/writeTimeoutSeconds"),
				refused(Charts.SINK, "rabbitmqPolicy.queueVersion", 3, "/rabbitmqPolicy/queueVersion"),
				refused(Charts.SINK, "rabbitmqPolicy.managementUrl", "rabbitmq:15672", "/rabbitmqPolicy/managementUrl"),
				refused(Charts.SINK, "maxInFlight", 10, "maxInFlight"),
				refused(Charts.SOURCE, "binder", "rabbitmq", "/binder"),
				refused(Charts.SINK, "kafka.brokers", "kafka:9092", "brokers"),
				refused(Charts.SOURCE, "kafka.partitions", 0, "/kafka/partitions"),
				refused(Charts.SINK, "kafka.securityProtocol", "TLS", "/kafka/securityProtocol"),
				// Kafka settings with binder rabbit.
				refused(Charts.SOURCE, "kafka.bootstrapServers", "kafka:9092", "/kafka/bootstrapServers"),
				refused(Charts.SINK, "kafka.securityProtocol", "SSL", "/kafka/securityProtocol"),
				refused(Charts.UMBRELLA, "order-source.serviceMonitor.enabled", "yes", "/serviceMonitor/enabled"),
				refused(Charts.UMBRELLA, "order-sink.database.sslMode", "on", "/database/sslMode"),
				refused(Charts.UMBRELLA, "ingress.host", "Orders_Example", "/ingress/host"),
				refused(Charts.UMBRELLA, "httpRoute.enabled", true, "/httpRoute/parentRefs"),
				refused(Charts.UMBRELLA, "dashboard.labelValue", "not a label", "/dashboard/labelValue"));
	}

	@ParameterizedTest(name = "{0}: {1}={2}")
	@MethodSource("refusedBySchema")
	void schemaRefuses(Path chart, String key, Object value, String where) {
		Map<String, Object> values = new java.util.HashMap<>();
		values.put(key, value);
		assertThatThrownBy(() -> Charts.template(chart, values)).hasMessageContaining("schema")
			.hasMessageContaining(where);
	}

	static Stream<Arguments> refusedBrokerSettings() {
		return Stream.of(
				// Kafka without its bootstrap servers, or with servers that have no port.
				refusedTogether(Charts.SOURCE, "/kafka/bootstrapServers", "binder", "kafka"),
				refusedTogether(Charts.SINK, "/kafka/bootstrapServers", "binder", "kafka"),
				refusedTogether(Charts.SINK, "/kafka/bootstrapServers", "binder", "kafka", "kafka.bootstrapServers",
						"kafka-0.kafka,kafka-1.kafka"),
				// Kafka with a RabbitMQ connection or credentials Secret.
				refusedTogether(Charts.SOURCE, "/rabbitmq/existingSecret", "binder", "kafka", "kafka.bootstrapServers",
						"kafka:9092", "rabbitmq.existingSecret", "order-source-rabbitmq"),
				refusedTogether(Charts.SINK, "/rabbitmq/host", "binder", "kafka", "kafka.bootstrapServers",
						"kafka:9092", "rabbitmq.host", "rabbitmq.messaging"),
				refusedTogether(Charts.SINK, "/rabbitmqPolicy/existingSecret", "binder", "kafka",
						"kafka.bootstrapServers", "kafka:9092", "rabbitmqPolicy.existingSecret",
						"rabbitmq-policy-admin"),
				// A SASL mechanism or user without a SASL protocol.
				refusedTogether(Charts.SOURCE, "/kafka/sasl/mechanism", "binder", "kafka", "kafka.bootstrapServers",
						"kafka:9092", "kafka.securityProtocol", "SSL", "kafka.sasl.mechanism", "SCRAM-SHA-512"),
				refusedTogether(Charts.SINK, "/kafka/sasl/existingSecret", "binder", "kafka", "kafka.bootstrapServers",
						"kafka:9092", "kafka.sasl.existingSecret", "order-sink-kafka"),
				// A SASL protocol without a mechanism or without the user's Secret.
				refusedTogether(Charts.SINK, "/kafka/sasl/mechanism", "binder", "kafka", "kafka.bootstrapServers",
						"kafka:9092", "kafka.securityProtocol", "SASL_SSL", "kafka.sasl.existingSecret",
						"order-sink-kafka"),
				refusedTogether(Charts.SOURCE, "/kafka/sasl/existingSecret", "binder", "kafka",
						"kafka.bootstrapServers", "kafka:9092", "kafka.securityProtocol", "SASL_PLAINTEXT",
						"kafka.sasl.mechanism", "PLAIN"),
				refusedTogether(Charts.SOURCE, "/kafka/sasl/mechanism", "binder", "kafka", "kafka.bootstrapServers",
						"kafka:9092", "kafka.securityProtocol", "SASL_SSL", "kafka.sasl.mechanism", "GSSAPI",
						"kafka.sasl.existingSecret", "order-source-kafka"),
				// A CA to trust without TLS.
				refusedTogether(Charts.SINK, "/kafka/tls/caSecret", "binder", "kafka", "kafka.bootstrapServers",
						"kafka:9092", "kafka.securityProtocol", "SASL_PLAINTEXT", "kafka.sasl.mechanism", "PLAIN",
						"kafka.sasl.existingSecret", "order-sink-kafka", "kafka.tls.caSecret", "kafka-cluster-ca"),
				// The two services on different brokers.
				refusedTogether(Charts.UMBRELLA, "/order-sink/binder", "order-source.binder", "kafka",
						"order-source.kafka.bootstrapServers", "kafka:9092"),
				refusedTogether(Charts.UMBRELLA, "/order-source/binder", "order-sink.binder", "kafka",
						"order-sink.kafka.bootstrapServers", "kafka:9092"));
	}

	@ParameterizedTest(name = "{0}: {2}")
	@MethodSource("refusedBrokerSettings")
	void schemaRefusesMixedOrIncompleteBrokerSettings(Path chart, String where, Map<String, Object> values) {
		assertThatThrownBy(() -> Charts.template(chart, values)).hasMessageContaining("schema")
			.hasMessageContaining(where);
	}

	@Test
	void schemaRefusesBothPublicRoutes() {
		assertThatThrownBy(
				() -> Charts.template(Charts.UMBRELLA,
						Charts.values("ingress.enabled", true, "httpRoute.enabled", true,
								"httpRoute.parentRefs[0].name", "public")))
			.hasMessageContaining("schema")
			.hasMessageContaining("not");
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("serviceCharts")
	void templatesRefuseMoreMinimumThanMaximumReplicas(Path chart) {
		assertThatThrownBy(() -> Charts.template(chart,
				Charts.values("autoscaling.enabled", true, "autoscaling.minReplicas", 5, "autoscaling.maxReplicas", 2)))
			.hasMessageContaining("autoscaling.minReplicas must not exceed autoscaling.maxReplicas");
	}

	static Stream<Path> serviceCharts() {
		return Stream.of(Charts.SOURCE, Charts.SINK);
	}

	private static Arguments refused(Path chart, String key, Object value, String where) {
		return Arguments.of(chart, key, value, where);
	}

	private static Arguments refusedTogether(Path chart, String where, Object... keysAndValues) {
		return Arguments.of(chart, where, Charts.values(keysAndValues));
	}

}
