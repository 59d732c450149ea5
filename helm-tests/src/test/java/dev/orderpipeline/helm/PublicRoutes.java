package dev.orderpipeline.helm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;

/**
 * The pipeline's public routes (test-support's {@code public-routes.tsv}, which the
 * services' own tests hold their served routes to) and where a rendered Ingress or
 * HTTPRoute sends a request, by the matching rules of their specifications.
 */
final class PublicRoutes {

	static final Path TABLE = Charts.ROOT
		.resolve("test-support/src/main/resources/dev/orderpipeline/testsupport/public-routes.tsv");

	private PublicRoutes() {
	}

	/**
	 * Every line of the route table.
	 * @return the routes, served and reserved
	 */
	static List<Route> all() {
		try {
			return Files.readAllLines(TABLE)
				.stream()
				.filter((line) -> !line.isBlank() && !line.startsWith("#"))
				.map((line) -> line.split("\t"))
				.map((columns) -> new Route(columns[0], columns[1], columns[2], columns[3],
						columns[4].equals("served")))
				.toList();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * Where an Ingress sends a request (networking.k8s.io/v1): an Exact path equal to the
	 * request's wins, else the longest Prefix whose path elements begin the request's (a
	 * trailing slash ignored); the method plays no part.
	 * @param ingress the Ingress, of one rule
	 * @param path the request's path
	 * @return the backend Service's name, or empty when no path matches
	 */
	static Optional<String> backend(Ingress ingress, String path) {
		List<HTTPIngressPath> paths = ingress.getSpec().getRules().get(0).getHttp().getPaths();
		Optional<HTTPIngressPath> exact = paths.stream()
			.filter((candidate) -> candidate.getPathType().equals("Exact") && candidate.getPath().equals(path))
			.findFirst();
		return exact
			.or(() -> paths.stream()
				.filter((candidate) -> candidate.getPathType().equals("Prefix")
						&& prefixMatches(candidate.getPath(), path))
				.max(Comparator.comparingInt((candidate) -> elements(candidate.getPath()).size())))
			.map((winner) -> winner.getBackend().getService().getName());
	}

	/**
	 * Where an HTTPRoute sends a request (gateway.networking.k8s.io/v1): among the
	 * matches that accept the path and method, an Exact path wins, then the longest
	 * PathPrefix (element-wise, a trailing slash ignored), then a match that names the
	 * method.
	 * @param route the HTTPRoute
	 * @param method the request's method
	 * @param path the request's path
	 * @return the first backend's name of the winning rule, or empty when none matches
	 */
	static Optional<String> backend(HTTPRoute route, String method, String path) {
		record Candidate(HTTPRouteRule rule, HTTPRouteMatch match) {
		}
		Comparator<Candidate> precedence = Comparator
			.comparing((Candidate candidate) -> candidate.match().getPath().getType().equals("Exact"))
			.thenComparingInt((candidate) -> candidate.match().getPath().getValue().length())
			.thenComparing((candidate) -> candidate.match().getMethod() != null);
		return route.getSpec()
			.getRules()
			.stream()
			.flatMap((rule) -> rule.getMatches().stream().map((match) -> new Candidate(rule, match)))
			.filter((candidate) -> accepts(candidate.match(), method, path))
			.max(precedence)
			.map((winner) -> winner.rule().getBackendRefs().get(0).getName());
	}

	private static boolean accepts(HTTPRouteMatch match, String method, String path) {
		if (match.getMethod() != null && !match.getMethod().equals(method)) {
			return false;
		}
		String value = match.getPath().getValue();
		return switch (match.getPath().getType()) {
			case "Exact" -> value.equals(path);
			case "PathPrefix" -> prefixMatches(value, path);
			default -> throw new IllegalArgumentException("No test semantics for " + match.getPath().getType());
		};
	}

	private static boolean prefixMatches(String prefix, String path) {
		List<String> wanted = elements(prefix);
		List<String> given = elements(path);
		return given.size() >= wanted.size() && given.subList(0, wanted.size()).equals(wanted);
	}

	private static List<String> elements(String path) {
		return Arrays.stream(path.split("/")).filter((element) -> !element.isEmpty()).toList();
	}

	/**
	 * A line of the route table.
	 *
	 * @param method the method
	 * @param template the route, with its variables
	 * @param example a path of the route
	 * @param service the service that serves it
	 * @param served whether it is served yet (else its prefix is reserved)
	 */
	record Route(String method, String template, String example, String service, boolean served) {

		@Override
		public String toString() {
			return this.method + " " + this.template + " -> " + this.service + (this.served ? "" : " (reserved)");
		}

	}

}
