package dev.orderpipeline.source.http;

import java.net.URI;
import java.util.List;

import dev.orderpipeline.security.OrderAuthorities;
import dev.orderpipeline.security.RouteSecurity;
import dev.orderpipeline.source.intake.OrderIds;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.ApplicationContext;
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
import org.springframework.security.authorization.AuthorityReactiveAuthorizationManager;
import org.springframework.security.authorization.ReactiveAuthorizationManager;
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
 * they always did: streams of orders ({@code application/x-ndjson}), requests whose
 * {@code Accept} does not take {@code application/json} or cannot be read, and requests
 * to the management server (its own chain refuses them).
 */
@Component
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
class SingleOrderRoute implements WebFilter, Ordered {

	static final String PATH = "/orders";

	private static final ReactiveAuthorizationManager<ServerWebExchange> WRITERS = AuthorityReactiveAuthorizationManager
		.hasAuthority(OrderAuthorities.WRITE);

	private final OrderController orders;

	private final OrderProblemHandler problems;

	private final RouteSecurity security;

	private final JsonMapper json;

	/** This server's context: the management server's has its own, and its own chain. */
	private final ApplicationContext context;

	SingleOrderRoute(OrderController orders, OrderProblemHandler problems, RouteSecurity security, JsonMapper json,
			ApplicationContext context) {
		this.orders = orders;
		this.problems = problems;
		this.security = security;
		this.json = json;
		this.context = context;
	}

	@Override
	public int getOrder() {
		return RouteSecurity.ORDER;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		if (exchange.getApplicationContext() != this.context || !serves(exchange.getRequest())) {
			return chain.filter(exchange);
		}
		return this.security.serve(exchange, WRITERS, this::place);
	}

	private Mono<Void> place(ServerWebExchange exchange) {
		// The route's pattern, for http.server.requests, as the dispatch sets it: once
		// the caller is let through.
		ServerRequestObservationContext.findCurrent(exchange.getAttributes())
			.ifPresent((context) -> context.setPathPattern(PATH));
		ServerHttpRequest request = exchange.getRequest();
		return this.orders.place(request, idempotencyKey(request.getHeaders()))
			.<ResponseEntity<?>>map((accepted) -> accepted)
			.onErrorResume((ex) -> Mono.just(problem(ex, request)))
			.flatMap((answer) -> write(exchange.getResponse(), answer));
	}

	private ResponseEntity<ProblemDetail> problem(Throwable ex, ServerHttpRequest request) {
		ResponseEntity<ProblemDetail> answer = this.problems.answer(ex, "POST " + PATH);
		ProblemDetail problem = answer.getBody();
		if (problem != null && problem.getInstance() == null) {
			problem.setInstance(URI.create(request.getPath().value()));
		}
		return answer;
	}

	private Mono<Void> write(ServerHttpResponse response, ResponseEntity<?> answer) {
		byte[] body = this.json.writeValueAsBytes(answer.getBody());
		response.setStatusCode(answer.getStatusCode());
		HttpHeaders headers = response.getHeaders();
		headers.putAll(answer.getHeaders());
		headers.setContentType((answer.getBody() instanceof ProblemDetail) ? MediaType.APPLICATION_PROBLEM_JSON
				: MediaType.APPLICATION_JSON);
		headers.setContentLength(body.length);
		return response.writeWith(Mono.just(response.bufferFactory().wrap(body)));
	}

	/**
	 * A single order on this route, answerable in JSON (the route produces
	 * {@code application/json}).
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
				.anyMatch((type) -> type.isCompatibleWith(MediaType.APPLICATION_JSON) && type.getQualityValue() > 0);
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
