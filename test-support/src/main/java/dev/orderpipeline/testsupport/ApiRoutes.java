package dev.orderpipeline.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.TreeSet;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.result.method.annotation.RequestMappingHandlerMapping;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The routes of a service's HTTP API as {@code METHOD /path} lines, as its OpenAPI
 * document describes them, as its handlers serve them and as the pipeline's route table
 * publishes them, for a test that holds the three together.
 */
public final class ApiRoutes {

	private ApiRoutes() {
	}

	/**
	 * A service's OpenAPI document, read without a token (it is public).
	 * @param client a client of the service's API port
	 * @param json the service's JSON mapper
	 * @return the document
	 */
	public static JsonNode document(WebTestClient client, JsonMapper json) {
		byte[] body = client.get()
			.uri("/v3/api-docs")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.returnResult()
			.getResponseBody();
		return json.readTree(body);
	}

	/**
	 * Checks that a service's API documentation UI is served without a token.
	 * @param client a client of the service's API port
	 */
	public static void assertUiIsPublic(WebTestClient client) {
		client.get()
			.uri("/swagger-ui.html")
			.exchange()
			.expectStatus()
			.value((status) -> assertThat(status).isIn(200, 302));
	}

	/**
	 * The routes an OpenAPI document describes.
	 * @param docs the document
	 * @return its routes, sorted
	 */
	public static Set<String> documented(JsonNode docs) {
		Set<String> documented = new TreeSet<>();
		docs.get("paths")
			.properties()
			.forEach((path) -> path.getValue()
				.propertyNames()
				.forEach((method) -> documented.add(method.toUpperCase() + " " + path.getKey())));
		return documented;
	}

	/**
	 * The routes the service's own handlers serve; springdoc's endpoints describe, they
	 * are not the API.
	 * @param mappings the service's handler mappings
	 * @return its routes, sorted
	 */
	public static Set<String> served(RequestMappingHandlerMapping mappings) {
		Set<String> served = new TreeSet<>();
		mappings.getHandlerMethods()
			.entrySet()
			.stream()
			.filter((mapping) -> mapping.getValue().getBeanType().getPackageName().startsWith("dev.orderpipeline"))
			.forEach((mapping) -> mapping.getKey()
				.getPatternsCondition()
				.getPatterns()
				.forEach((pattern) -> mapping.getKey()
					.getMethodsCondition()
					.getMethods()
					.forEach((verb) -> served.add(verb.name() + " " + pattern.getPatternString()))));
		return served;
	}

	/**
	 * The routes a service serves as the pipeline's route table
	 * ({@code public-routes.tsv}) gives them, which the charts' routing is tested
	 * against.
	 * @param service the service: {@code order-source} or {@code order-sink}
	 * @return its routes as {@code METHOD /path} lines, sorted
	 */
	public static Set<String> published(String service) {
		try (InputStream table = ApiRoutes.class.getResourceAsStream("public-routes.tsv")) {
			Set<String> routes = new TreeSet<>();
			new String(table.readAllBytes(), StandardCharsets.UTF_8).lines()
				.filter((line) -> !line.isBlank() && !line.startsWith("#"))
				.map((line) -> line.split("\t"))
				.filter((columns) -> columns[3].equals(service) && columns[4].equals("served"))
				.forEach((columns) -> routes.add(columns[0] + " " + columns[1]));
			return routes;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
