package dev.orderpipeline.contracts;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.MissingNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The AsyncAPI document against what it describes: its references resolve, its payloads
 * are the contract's JSON Schemas and accept the golden samples, and its queue names are
 * the services'.
 */
class AsyncApiTests {

	private static final String DOCUMENT = "dev/orderpipeline/contracts/asyncapi.yaml";

	private static final YAMLMapper yaml = YAMLMapper.builder().build();

	private static final JsonMapper json = JsonMapper.builder().build();

	private static final JsonNode asyncApi = read(DOCUMENT);

	private static final SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
			(builder) -> builder.schemaIdResolvers((resolvers) -> resolvers
				.mapPrefix("https://orderpipeline.dev/schemas/", "classpath:dev/orderpipeline/contracts/")));

	static final List<String> orderPlacedSamples = GoldenSamples.ORDER_PLACED;

	static final List<String> legacySamples = GoldenSamples.LEGACY_ORDERS;

	static final List<GoldenSamples.Broken> brokenSamples = GoldenSamples.BROKEN_ORDER_PLACED;

	static final List<String> statusChangeSamples = GoldenSamples.STATUS_CHANGE_REQUESTED;

	static final List<GoldenSamples.Broken> brokenStatusChangeSamples = GoldenSamples.BROKEN_STATUS_CHANGE_REQUESTED;

	@Test
	void isAnAsyncApi300DocumentWithChannelsOperationsAndMessages() {
		assertThat(asyncApi.path("asyncapi").asString()).isEqualTo("3.0.0");
		assertThat(asyncApi.path("channels").propertyNames()).containsExactlyInAnyOrder("orderExchange", "orderQueue",
				"deadLetters", "orderTopic", "deadLetterTopic");
		assertThat(asyncApi.path("components").path("messages").propertyNames()).containsExactlyInAnyOrder(
				"OrderPlaced", "StatusChangeRequested", "LegacyOrder", "DeadLetter", "DeadLetterRecord");
		assertThat(asyncApi.path("servers").path("local").path("protocol").asString()).isEqualTo("amqp");
		assertThat(asyncApi.path("servers").path("kafka").path("protocol").asString()).isEqualTo("kafka");
	}

	@Test
	void everyReferenceResolvesInThisDocumentAndTheFilesItNames() {
		Map<String, JsonNode> files = new LinkedHashMap<>();
		List<String> references = new ArrayList<>();
		List<String> unresolved = new ArrayList<>();
		follow(DOCUMENT, files, references, unresolved);
		assertThat(unresolved).isEmpty();
		assertThat(files.keySet()).containsExactlyInAnyOrder(DOCUMENT, GoldenSamples.ORDER_PLACED_SCHEMA,
				GoldenSamples.LEGACY_ORDER_SCHEMA, GoldenSamples.STATUS_CHANGE_REQUESTED_SCHEMA);
		assertThat(references).contains(
				"dev/orderpipeline/contracts/legacy-order.schema.json -> order-placed.schema.json#/$defs/statusList",
				"dev/orderpipeline/contracts/status-change-requested.schema.json -> order-placed.schema.json#/$defs/identifier");
	}

	@Test
	void messagePayloadsAreTheContractSchemaFiles() {
		assertThat(payloadSchemaPath("OrderPlaced")).isEqualTo(GoldenSamples.ORDER_PLACED_SCHEMA);
		assertThat(payloadSchemaPath("LegacyOrder")).isEqualTo(GoldenSamples.LEGACY_ORDER_SCHEMA);
		assertThat(payloadSchemaPath("StatusChangeRequested")).isEqualTo(GoldenSamples.STATUS_CHANGE_REQUESTED_SCHEMA);
	}

	@ParameterizedTest
	@FieldSource("orderPlacedSamples")
	void everyOrderPlacedGoldenMatchesThePayloadOfOrderPlaced(String sample) {
		assertThat(payloadSchema("OrderPlaced").validate(GoldenSamples.read(sample), InputFormat.JSON)).isEmpty();
	}

	@ParameterizedTest
	@FieldSource("legacySamples")
	void everyLegacyGoldenMatchesThePayloadOfLegacyOrder(String sample) {
		assertThat(payloadSchema("LegacyOrder").validate(GoldenSamples.read(sample), InputFormat.JSON)).isEmpty();
	}

	@ParameterizedTest
	@FieldSource("brokenSamples")
	void everyBrokenSampleIsRefusedByThePayloadOfOrderPlaced(GoldenSamples.Broken broken) {
		assertThat(payloadSchema("OrderPlaced").validate(GoldenSamples.read(broken), InputFormat.JSON)).isNotEmpty();
	}

	@ParameterizedTest
	@FieldSource("statusChangeSamples")
	void everyStatusChangeGoldenMatchesThePayloadOfStatusChangeRequested(String sample) {
		assertThat(payloadSchema("StatusChangeRequested").validate(GoldenSamples.read(sample), InputFormat.JSON))
			.isEmpty();
	}

	@ParameterizedTest
	@FieldSource("brokenStatusChangeSamples")
	void everyBrokenStatusChangeIsRefusedByThePayloadOfStatusChangeRequested(GoldenSamples.Broken broken) {
		assertThat(payloadSchema("StatusChangeRequested").validate(GoldenSamples.read(broken), InputFormat.JSON))
			.isNotEmpty();
	}

	@Test
	void everyMessageExampleIsAGoldenWithTheHeadersOfItsMessage() {
		Map<String, List<String>> goldens = Map.of("OrderPlaced", GoldenSamples.ORDER_PLACED, "LegacyOrder",
				GoldenSamples.LEGACY_ORDERS, "StatusChangeRequested", GoldenSamples.STATUS_CHANGE_REQUESTED);
		JsonNode messages = asyncApi.path("components").path("messages");
		assertThat(messages.path("StatusChangeRequested").path("examples").isEmpty()).isFalse();
		for (String name : messages.propertyNames()) {
			for (JsonNode example : messages.path(name).path("examples")) {
				String description = name + " example " + example.path("name").asString();
				JsonNode payload = example.path("payload");
				assertThat(goldens.getOrDefault(name, List.of())).as(description + " is a golden sample")
					.anySatisfy((sample) -> assertThat(json.readTree(GoldenSamples.read(sample))).isEqualTo(payload));
				assertThat(payloadSchema(name).validate(json.writeValueAsString(payload), InputFormat.JSON))
					.as(description)
					.isEmpty();
				List<JsonNode> headerSchemas = headerSchemas(name);
				Set<String> declared = new LinkedHashSet<>();
				Set<String> required = new LinkedHashSet<>();
				for (JsonNode schema : headerSchemas) {
					declared.addAll(schema.path("properties").propertyNames());
					schema.path("required").forEach((header) -> required.add(header.asString()));
				}
				JsonNode headers = example.path("headers");
				assertThat(headers.propertyNames()).as(description + " headers").containsAll(required);
				assertThat(declared).as(description + " headers").containsAll(headers.propertyNames());
				for (String header : headers.propertyNames()) {
					for (JsonNode schema : headerSchemas) {
						JsonNode property = schema.path("properties").path(header);
						if (property.has("const")) {
							assertThat(headers.path(header).asString()).as(description + " " + header)
								.isEqualTo(property.path("const").asString());
						}
						if (property.has("pattern")) {
							assertThat(headers.path(header).asString()).as(description + " " + header)
								.matches(property.path("pattern").asString());
						}
					}
				}
			}
		}
	}

	@Test
	void theEventHeaderTellsOrdersAndStatusChangesApart() {
		assertThat(headerProperty("OrderPlaced", OrderEvents.TYPE_HEADER).path("const").asString())
			.isEqualTo(OrderEvents.ORDER_PLACED);
		assertThat(requiredHeaders("OrderPlaced")).containsExactly(OrderSignature.HEADER);
		assertThat(headerProperty("StatusChangeRequested", OrderEvents.TYPE_HEADER).path("const").asString())
			.isEqualTo(OrderEvents.STATUS_CHANGE_REQUESTED);
		assertThat(requiredHeaders("StatusChangeRequested")).containsExactlyInAnyOrder(OrderSignature.HEADER,
				OrderEvents.TYPE_HEADER);
		// Both are signed alike, and carry the request's trace.
		for (String message : List.of("OrderPlaced", "StatusChangeRequested")) {
			assertThat(headerProperty(message, OrderSignature.HEADER).path("pattern").asString()).as(message)
				.isNotBlank();
			assertThat(headerProperty(message, "traceparent").isMissingNode()).as(message).isFalse();
		}
	}

	@Test
	void channelsAreTheQueueAndExchangeTheServicesUse() throws IOException {
		JsonNode source = yaml
			.readTree(Files.readString(Path.of("../order-source/src/main/resources/application.yml")));
		JsonNode sink = yaml.readTree(Files.readString(Path.of("../order-sink/src/main/resources/application.yml")));
		// The RabbitMQ binder's settings (the first document of each file).
		JsonNode sourceOnRabbit = yaml.readTree(
				Files.readString(Path.of("../order-source/src/main/resources/binders/rabbit.yml")).split("\n---\n")[0]);
		JsonNode sinkOnRabbit = yaml.readTree(
				Files.readString(Path.of("../order-sink/src/main/resources/binders/rabbit.yml")).split("\n---\n")[0]);
		String queue = source.at("/orders/queue").asString();
		assertThat(queue).isNotBlank().isEqualTo(sink.at("/orders/queue").asString());
		// Both bind to the queue's name: the source's exchange and required group, the
		// sink's queue.
		assertThat(source.at("/spring/cloud/stream/bindings/orders-out-0/destination").asString())
			.isEqualTo("${orders.queue}");
		assertThat(sourceOnRabbit.at("/spring/cloud/stream/bindings/orders-out-0/producer/required-groups").asString())
			.isEqualTo("${orders.queue}");
		assertThat(sink.at("/spring/cloud/stream/bindings/orderSink-in-0/group").asString())
			.isEqualTo("${orders.queue}");
		assertThat(sourceOnRabbit.at("/spring/cloud/stream/rabbit/bindings/orders-out-0/producer/queue-name-group-only")
			.asBoolean()).isTrue();
		assertThat(sinkOnRabbit.at("/spring/cloud/stream/rabbit/bindings/orderSink-in-0/consumer/queue-name-group-only")
			.asBoolean()).isTrue();
		String deadLetterQueue = sink.at("/orders/sink/dead-letter-queue").asString().replace("${orders.queue}", queue);

		JsonNode channels = asyncApi.path("channels");
		assertThat(channels.at("/orderExchange/address").asString()).isEqualTo(queue);
		assertThat(channels.at("/orderExchange/bindings/amqp/exchange/name").asString()).isEqualTo(queue);
		assertThat(channels.at("/orderExchange/bindings/amqp/exchange/type").asString()).isEqualTo("topic");
		assertThat(channels.at("/orderQueue/address").asString()).isEqualTo(queue);
		assertThat(channels.at("/orderQueue/bindings/amqp/queue/name").asString()).isEqualTo(queue);
		assertThat(channels.at("/orderQueue/bindings/amqp/queue/durable").asBoolean()).isTrue();
		assertThat(channels.at("/deadLetters/address").asString()).isEqualTo(deadLetterQueue).isEqualTo(queue + ".dlq");
		assertThat(channels.at("/deadLetters/bindings/amqp/queue/name").asString()).isEqualTo(deadLetterQueue);
		// On Kafka the topics have the same names.
		assertThat(channels.at("/orderTopic/address").asString()).isEqualTo(queue);
		assertThat(channels.at("/orderTopic/bindings/kafka/topic").asString()).isEqualTo(queue);
		assertThat(channels.at("/deadLetterTopic/address").asString()).isEqualTo(deadLetterQueue);
		assertThat(channels.at("/deadLetterTopic/bindings/kafka/topic").asString()).isEqualTo(deadLetterQueue);
		assertThat(asyncApi.at("/operations/storeOrderRecords/bindings/kafka/groupId/const").asString())
			.isEqualTo(queue);
	}

	@Test
	void everyOperationSendsOrReceivesMessagesOfItsOwnChannel() {
		Collection<String> operations = asyncApi.path("operations").propertyNames();
		assertThat(operations).isNotEmpty();
		for (String name : operations) {
			JsonNode operation = asyncApi.path("operations").path(name);
			assertThat(operation.path("action").asString()).as(name).isIn("send", "receive");
			String channel = operation.path("channel").path("$ref").asString();
			assertThat(channel).as(name).startsWith("#/channels/");
			assertThat(operation.path("messages").isEmpty()).as(name).isFalse();
			for (JsonNode message : operation.path("messages")) {
				assertThat(message.path("$ref").asString()).as(name).startsWith(channel + "/messages/");
			}
		}
	}

	@Test
	void theSourceSendsOrderPlacedTheSinkReceivesBothAndLegacyPublishersSendLegacyOrders() {
		assertThat(messagesOf("send", "orderExchange")).containsExactlyInAnyOrder("OrderPlaced",
				"StatusChangeRequested");
		assertThat(messagesOf("receive", "orderQueue")).containsExactlyInAnyOrder("OrderPlaced",
				"StatusChangeRequested", "LegacyOrder");
		assertThat(messagesOf("send", "orderQueue")).contains("LegacyOrder");
		assertThat(messagesOf("send", "deadLetters")).containsExactly("DeadLetter");
		assertThat(messagesOf("send", "orderTopic")).contains("OrderPlaced", "StatusChangeRequested");
		assertThat(messagesOf("receive", "orderTopic")).containsExactlyInAnyOrder("OrderPlaced",
				"StatusChangeRequested", "LegacyOrder");
		assertThat(messagesOf("send", "deadLetterTopic")).containsExactly("DeadLetterRecord");
	}

	@Test
	void statusChangeRequestedTravelsWithOrdersOnBothServers() {
		// RabbitMQ: the source publishes it to the order exchange, the sink reads it
		// from the order queue.
		assertThat(serversOf("orderExchange")).containsExactly("local");
		assertThat(serversOf("orderQueue")).containsExactly("local");
		assertThat(messagesOf("send", "orderExchange")).contains("StatusChangeRequested");
		assertThat(messagesOf("receive", "orderQueue")).contains("StatusChangeRequested");
		// Kafka: the source writes it to the orders topic, keyed like an order, and
		// the sink reads it there.
		assertThat(serversOf("orderTopic")).containsExactly("kafka");
		assertThat(messagesOf("send", "orderTopic")).contains("StatusChangeRequested");
		assertThat(messagesOf("receive", "orderTopic")).contains("StatusChangeRequested");
		JsonNode orderKey = asyncApi.at("/components/messages/OrderPlaced/bindings/kafka/key");
		JsonNode changeKey = asyncApi.at("/components/messages/StatusChangeRequested/bindings/kafka/key");
		assertThat(changeKey.path("type").asString()).isEqualTo(orderKey.path("type").asString()).isEqualTo("string");
		assertThat(changeKey.path("format").asString()).isEqualTo(orderKey.path("format").asString()).isEqualTo("uuid");
		assertThat(changeKey.path("description").asString()).contains("order id");
	}

	/**
	 * The component messages the operations of one action on one channel carry.
	 */
	private static Set<String> messagesOf(String action, String channel) {
		Set<String> messages = new LinkedHashSet<>();
		for (JsonNode operation : asyncApi.path("operations")) {
			if (operation.path("action").asString().equals(action)
					&& operation.path("channel").path("$ref").asString().equals("#/channels/" + channel)) {
				for (JsonNode message : operation.path("messages")) {
					JsonNode channelMessage = asyncApi.at(message.path("$ref").asString().substring(1));
					messages.add(channelMessage.path("$ref").asString().replace("#/components/messages/", ""));
				}
			}
		}
		return messages;
	}

	/**
	 * The names of the servers a channel is on.
	 */
	private static List<String> serversOf(String channel) {
		List<String> servers = new ArrayList<>();
		for (JsonNode server : asyncApi.path("channels").path(channel).path("servers")) {
			servers.add(server.path("$ref").asString().replace("#/servers/", ""));
		}
		return servers;
	}

	/**
	 * The schemas of a message's headers: the schema it names and the parts of its
	 * {@code allOf}, references followed.
	 */
	private static List<JsonNode> headerSchemas(String message) {
		List<JsonNode> schemas = new ArrayList<>();
		collectSchemas(asyncApi.at("/components/messages/" + message + "/headers"), schemas);
		assertThat(schemas).as(message + " headers").isNotEmpty();
		return schemas;
	}

	private static void collectSchemas(JsonNode schema, List<JsonNode> schemas) {
		if (schema.path("$ref").isString()) {
			String reference = schema.path("$ref").asString();
			assertThat(reference).startsWith("#/");
			collectSchemas(asyncApi.at(reference.substring(1)), schemas);
			return;
		}
		if (schema.isMissingNode()) {
			return;
		}
		schemas.add(schema);
		for (JsonNode part : schema.path("allOf")) {
			collectSchemas(part, schemas);
		}
	}

	/**
	 * The schema of one header of a message, or a missing node.
	 */
	private static JsonNode headerProperty(String message, String header) {
		return headerSchemas(message).stream()
			.map((schema) -> schema.path("properties").path(header))
			.filter((property) -> !property.isMissingNode())
			.findFirst()
			.orElse(MissingNode.getInstance());
	}

	private static Set<String> requiredHeaders(String message) {
		Set<String> required = new LinkedHashSet<>();
		for (JsonNode schema : headerSchemas(message)) {
			schema.path("required").forEach((header) -> required.add(header.asString()));
		}
		return required;
	}

	private static Schema payloadSchema(String message) {
		Schema schema = registry.getSchema(SchemaLocation.of("classpath:" + payloadSchemaPath(message)));
		schema.initializeValidators();
		return schema;
	}

	private static String payloadSchemaPath(String message) {
		String reference = asyncApi.at("/components/messages/" + message + "/payload/$ref").asString();
		assertThat(reference).as(message + " payload").isNotBlank().doesNotContain("#");
		return resolve(DOCUMENT, reference);
	}

	/**
	 * Checks every {@code $ref} of a file and, the first time it is named, of every file
	 * it names.
	 */
	private static void follow(String file, Map<String, JsonNode> files, List<String> references,
			List<String> unresolved) {
		if (files.containsKey(file)) {
			return;
		}
		JsonNode content = read(file);
		files.put(file, content);
		List<String> found = new ArrayList<>();
		collectReferences(content, found);
		for (String reference : found) {
			references.add(file + " -> " + reference);
			int hash = reference.indexOf('#');
			String target = (hash == 0) ? file : resolve(file, (hash < 0) ? reference : reference.substring(0, hash));
			String pointer = (hash < 0) ? "" : reference.substring(hash + 1);
			JsonNode targetContent = (target.equals(file)) ? content : files.get(target);
			if (targetContent == null) {
				if (GoldenSamples.class.getClassLoader().getResource(target) == null) {
					unresolved.add(file + " -> " + reference + " (no file " + target + ")");
					continue;
				}
				follow(target, files, references, unresolved);
				targetContent = files.get(target);
			}
			if (targetContent.at(pointer).isMissingNode()) {
				unresolved.add(file + " -> " + reference + " (nothing at " + pointer + ")");
			}
		}
	}

	private static void collectReferences(JsonNode node, List<String> references) {
		if (node.isObject() && node.path("$ref").isString()) {
			references.add(node.path("$ref").asString());
		}
		for (JsonNode child : node) {
			collectReferences(child, references);
		}
	}

	private static String resolve(String from, String relative) {
		return Path.of(from).resolveSibling(relative).normalize().toString().replace('\\', '/');
	}

	private static JsonNode read(String path) {
		ObjectMapper mapper = path.endsWith(".json") ? json : yaml;
		return mapper.readTree(GoldenSamples.readResource(path));
	}

}
