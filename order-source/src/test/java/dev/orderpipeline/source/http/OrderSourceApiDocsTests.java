package dev.orderpipeline.source.http;

import java.io.IOException;
import java.io.InputStream;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;

import dev.orderpipeline.contracts.GoldenSamples;
import dev.orderpipeline.testsupport.ApiRoutes;
import dev.orderpipeline.testsupport.TestTokens;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.cloud.stream.binder.test.EnableTestBinder;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.result.method.annotation.RequestMappingHandlerMapping;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The OpenAPI document describes the routes the service really serves, with the request
 * body of the contract's schema, and is public (the UI too).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "management.server.port=0")
@AutoConfigureWebTestClient
@EnableTestBinder
class OrderSourceApiDocsTests {

	@Autowired
	private WebTestClient client;

	@Autowired
	private JsonMapper json;

	@Autowired
	private RequestMappingHandlerMapping mappings;

	@DynamicPropertySource
	static void tokens(DynamicPropertyRegistry registry) {
		TestTokens.shared().register(registry);
	}

	@Test
	void documentsExactlyTheRoutesTheServiceServesAndThePipelinePublishes() {
		assertThat(ApiRoutes.documented(apiDocs())).isEqualTo(ApiRoutes.served(this.mappings))
			.isEqualTo(ApiRoutes.published("order-source"))
			.contains("POST /orders", "POST /queue/neworder");
	}

	@Test
	void theRequestBodyHasTheFieldsOfTheContractSchema() throws IOException {
		JsonNode docs = apiDocs();
		JsonNode contract;
		try (InputStream schema = getClass().getClassLoader().getResourceAsStream(GoldenSamples.LEGACY_ORDER_SCHEMA)) {
			contract = this.json.readTree(schema);
		}
		for (String path : new String[] { "/orders", "/queue/neworder" }) {
			JsonNode body = docs.at("/paths/" + path.replace("/", "~1") + "/post/requestBody");
			assertThat(body.get("required").booleanValue()).isTrue();
			String reference = body.at("/content/application~1json/schema/$ref").stringValue();
			JsonNode schema = docs.at("/components/schemas/" + reference.substring(reference.lastIndexOf('/') + 1));
			assertThat(new TreeSet<>(schema.get("properties").propertyNames()))
				.isEqualTo(new TreeSet<>(contract.get("properties").propertyNames()));
			assertThat(schema.at("/properties/status/items/enum").values().stream().map(JsonNode::stringValue))
				.containsExactlyInAnyOrderElementsOf(enumOfStatus());
		}
	}

	@Test
	void documentsTheAnswersAndTheBearerToken() {
		JsonNode docs = apiDocs();
		Set<String> answers = new HashSet<>(docs.at("/paths/~1orders/post/responses").propertyNames());
		// 202 for an order, 200 for a stream of orders (application/x-ndjson both ways).
		assertThat(answers).containsExactlyInAnyOrder("200", "202", "400", "401", "403", "413", "415", "429", "503");
		assertThat(docs.at("/paths/~1orders/post/responses/400/content/application~1problem+json").isMissingNode())
			.isFalse();
		assertThat(docs.at("/paths/~1orders/post/requestBody/content").propertyNames()).contains("application/json",
				"application/x-ndjson");
		assertThat(docs.at("/paths/~1orders/post/responses/200/content/application~1x-ndjson").isMissingNode())
			.isFalse();
		assertThat(docs.at("/components/securitySchemes/bearer/scheme").stringValue()).isEqualTo("bearer");
		assertThat(docs.at("/security/0/bearer").isArray()).isTrue();
	}

	@Test
	void theUiIsServedWithoutAToken() {
		ApiRoutes.assertUiIsPublic(this.client);
	}

	private JsonNode apiDocs() {
		return ApiRoutes.document(this.client, this.json);
	}

	private static Set<String> enumOfStatus() {
		Set<String> names = new TreeSet<>();
		for (dev.orderpipeline.contracts.OrderStatus status : dev.orderpipeline.contracts.OrderStatus.values()) {
			names.add(status.name());
		}
		return names;
	}

}
