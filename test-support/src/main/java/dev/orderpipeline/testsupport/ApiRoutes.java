package dev.orderpipeline.testsupport;

import java.util.Set;
import java.util.TreeSet;

import tools.jackson.databind.JsonNode;

import org.springframework.web.reactive.result.method.annotation.RequestMappingHandlerMapping;

/**
 * The routes of a service's HTTP API as {@code METHOD /path} lines, as its OpenAPI
 * document describes them and as its handlers serve them, for a test that holds the two
 * together.
 */
public final class ApiRoutes {

	private ApiRoutes() {
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

}
