package dev.orderpipeline.sink.api;

import java.util.List;

import dev.orderpipeline.sink.consuming.DeadLetters;
import dev.orderpipeline.testsupport.ApiRoutes;
import dev.orderpipeline.testsupport.TestDatabase;
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
 * The read API's OpenAPI document describes the routes the service really serves, with
 * every answer, and is public (the UI too).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "management.server.port=0")
@AutoConfigureWebTestClient
@EnableTestBinder
@DeadLetters.Mocked
class OrderSinkApiDocsTests {

	@Autowired
	private WebTestClient client;

	@Autowired
	private JsonMapper json;

	@Autowired
	private RequestMappingHandlerMapping mappings;

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		TestTokens.shared().register(registry);
		TestDatabase.shared().register(registry);
	}

	@Test
	void documentsExactlyTheRoutesTheServiceServesAndThePipelinePublishes() {
		assertThat(ApiRoutes.documented(apiDocs())).isEqualTo(ApiRoutes.served(this.mappings))
			.isEqualTo(ApiRoutes.published("order-sink"))
			.contains("GET /orders/{id}", "GET /senders/{sender}/orders");
	}

	@Test
	void documentsTheAnswersAndTheBearerToken() {
		JsonNode docs = apiDocs();
		JsonNode answers = docs.at("/paths/~1orders~1{id}/get/responses");
		assertThat(answers.propertyNames()).containsExactlyInAnyOrder("200", "400", "401", "403", "404");
		assertThat(answers.at("/404/content/application~1problem+json").isMissingNode()).isFalse();
		for (String stream : List.of("~1orders~1{id}~1events", "~1senders~1{sender}~1events")) {
			JsonNode operation = docs.at("/paths/" + stream + "/get");
			assertThat(operation.get("responses").propertyNames()).as(stream)
				.containsExactlyInAnyOrder("200", "400", "401", "403", "429", "503");
			assertThat(operation.at("/responses/200/content").propertyNames()).as(stream)
				.containsExactlyInAnyOrder("text/event-stream", "application/x-ndjson");
			assertThat(operation.at("/responses/429/headers/Retry-After").isMissingNode()).isFalse();
			assertThat(
					operation.get("parameters").valueStream().map((parameter) -> parameter.get("name").stringValue()))
				.contains("Last-Event-ID", "after");
		}
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

}
