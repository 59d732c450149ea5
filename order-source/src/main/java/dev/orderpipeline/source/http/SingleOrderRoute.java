package dev.orderpipeline.source.http;

import java.net.URI;
import java.util.List;

import dev.orderpipeline.security.OrderAuthorities;
import dev.orderpipeline.security.RouteSecurity;
import dev.orderpipeline.source.intake.OrderIds;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.observation.ServerRequestObservationContext;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * {@code POST /orders} with one order, served ahead of the security filter chain and the
 * annotated-controller dispatch, which together cost more per order than reading,
 * checking and publishing it: {@link RouteSecurity} applies the chain's rules for this
 * route (firewall, security headers, bearer token, {@code orders:write}), then
 * {@link OrderController#place} does the work and its answer is written as the dispatch
 * would write it, failures through {@link OrderProblemHandler}.
 * <p>
 * Everything else on the route is left to the chain and the dispatch, which answer as
 * they always did: streams of orders ({@code application/x-ndjson}), and requests whose
 * {@code Accept} does not take JSON or cannot be read.
 */
@Component
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
class SingleOrderRoute implements WebFilter, Ordered {

	static final String PATH = "/orders";

	private static final List<MediaType> ANSWERED = List.of(MediaType.APPLICATION_JSON,
			MediaType.APPLICATION_PROBLEM_JSON);

	private final OrderController orders;

	private final OrderProblemHandler problems;

	private final RouteSecurity security;

	private final JsonMapper json;

	SingleOrderRoute(OrderController orders, OrderProblemHandler problems, RouteSecurity security, JsonMapper json) {
		this.orders = orders;
		this.problems = problems;
		this.security = security;
		this.json = json;
	}

	@Override
	public int getOrder() {
		return RouteSecurity.ORDER;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		ServerHttpRequest request = exchange.getRequest();
		if (!serves(request)) {
			return chain.filter(exchange);
		}
		// The route's pattern, for http.server.requests, as the dispatch would set it.
		ServerRequestObservationContext.findCurrent(exchange.getAttributes())
			.ifPresent((context) -> context.setPathPattern(PATH));
		return this.security.serve(exchange, OrderAuthorities.WRITE, this::place);
	}

	private Mono<Void> place(ServerWebExchange exchange) {
		ServerHttpRequest request = exchange.getRequest();
		ServerHttpResponse response = exchange.getResponse();
		return this.orders.place(request, idempotencyKey(request.getHeaders()))
			.flatMap((accepted) -> write(response, accepted, MediaType.APPLICATION_JSON))
			.onErrorResume((ex) -> {
				ResponseEntity<ProblemDetail> answer = this.problems.answer(ex, "POST " + PATH);
				ProblemDetail problem = answer.getBody();
				if (problem != null && problem.getInstance() == null) {
					problem.setInstance(URI.create(request.getPath().value()));
				}
				return write(response, answer, MediaType.APPLICATION_PROBLEM_JSON);
			});
	}

	private Mono<Void> write(ServerHttpResponse response, ResponseEntity<?> answer, MediaType type) {
		response.setStatusCode(answer.getStatusCode());
		response.getHeaders().putAll(answer.getHeaders());
		response.getHeaders().setContentType(type);
		byte[] body = this.json.writeValueAsBytes(answer.getBody());
		return response.writeWith(Mono.just(response.bufferFactory().wrap(body)));
	}

	/**
	 * A single order on this route, answerable in JSON.
	 */
	private static boolean serves(ServerHttpRequest request) {
		if (request.getMethod() != HttpMethod.POST || !PATH.equals(request.getPath().pathWithinApplication().value())) {
			return false;
		}
		HttpHeaders headers = request.getHeaders();
		try {
			MediaType type = headers.getContentType();
			if (type != null && MediaType.APPLICATION_NDJSON.isCompatibleWith(type)) {
				return false;
			}
		}
		catch (InvalidMediaTypeException ex) {
			// A single order's body, refused as such (415).
		}
		try {
			List<MediaType> accepted = headers.getAccept();
			return accepted.isEmpty() || accepted.stream()
				.anyMatch((type) -> ANSWERED.stream()
					.anyMatch((answered) -> type.isCompatibleWith(answered) && type.getQualityValue() > 0));
		}
		catch (InvalidMediaTypeException ex) {
			return false;
		}
	}

	/**
	 * The {@code Idempotency-Key} as the annotated route reads it: several values joined
	 * with commas.
	 */
	private static String idempotencyKey(HttpHeaders headers) {
		List<String> values = headers.get(OrderIds.IDEMPOTENCY_KEY);
		return (values == null || values.isEmpty()) ? null : String.join(",", values);
	}

}
