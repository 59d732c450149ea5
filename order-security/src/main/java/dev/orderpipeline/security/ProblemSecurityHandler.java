package dev.orderpipeline.security;

import java.net.URI;
import java.util.List;
import java.util.Map;

import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.web.server.ServerAuthenticationEntryPoint;
import org.springframework.security.web.server.authorization.ServerAccessDeniedHandler;
import org.springframework.security.web.server.firewall.ServerExchangeRejectedException;
import org.springframework.security.web.server.firewall.ServerExchangeRejectedHandler;
import org.springframework.web.server.ServerWebExchange;

/**
 * Answers requests without a valid token (401) or without the right to what they ask
 * (403), and requests the firewall refuses (400: an encoded separator in the path, say),
 * the way the rest of the API answers errors: {@code application/problem+json}, saying
 * what is wrong but nothing about the service's insides.
 */
public class ProblemSecurityHandler
		implements ServerAuthenticationEntryPoint, ServerAccessDeniedHandler, ServerExchangeRejectedHandler {

	private static final String PROBLEMS = "https://orderpipeline.dev/problems/";

	private final JsonMapper json;

	public ProblemSecurityHandler(JsonMapper json) {
		this.json = json;
	}

	@Override
	public Mono<Void> commence(ServerWebExchange exchange, AuthenticationException ex) {
		boolean tokenGiven = exchange.getRequest().getHeaders().containsHeader(HttpHeaders.AUTHORIZATION);
		String detail = tokenGiven ? invalidTokenDetail(ex)
				: "This API needs a bearer token: Authorization: Bearer <token>";
		exchange.getResponse()
			.getHeaders()
			.set(HttpHeaders.WWW_AUTHENTICATE, tokenGiven ? "Bearer error=\"invalid_token\"" : "Bearer");
		return write(exchange, HttpStatus.UNAUTHORIZED, tokenGiven ? "invalid-token" : "token-required",
				tokenGiven ? "Invalid bearer token" : "Bearer token required", detail);
	}

	@Override
	public Mono<Void> handle(ServerWebExchange exchange, AccessDeniedException denied) {
		exchange.getResponse().getHeaders().set(HttpHeaders.WWW_AUTHENTICATE, "Bearer error=\"insufficient_scope\"");
		return write(exchange, HttpStatus.FORBIDDEN, "forbidden", "Forbidden",
				"The token does not allow this request (a scope or role is missing)");
	}

	@Override
	public Mono<Void> handle(ServerWebExchange exchange, ServerExchangeRejectedException rejected) {
		// The firewall's own message quotes the request: not echoed.
		ProblemDetail problem = problem(HttpStatus.BAD_REQUEST, "rejected-request", "Request refused",
				"The request's path holds what no route accepts: an encoded slash, backslash, percent sign or "
						+ "semicolon, a . or .. segment, or a control character");
		problem.setProperty("errors", List.of(Map.of("field", "path", "message",
				"must not hold an encoded /, \\, % or ;, a . or .. segment, or a control character")));
		return write(exchange, problem);
	}

	private static String invalidTokenDetail(AuthenticationException ex) {
		if (ex instanceof OAuth2AuthenticationException oauth2 && oauth2.getError().getDescription() != null) {
			// Descriptions of token errors name the claim or check that failed, never a
			// key.
			return oauth2.getError().getDescription();
		}
		return "The bearer token is not valid";
	}

	private Mono<Void> write(ServerWebExchange exchange, HttpStatus status, String type, String title, String detail) {
		ProblemDetail problem = problem(status, type, title, detail);
		problem.setInstance(URI.create(exchange.getRequest().getPath().value()));
		return write(exchange, problem);
	}

	private static ProblemDetail problem(HttpStatus status, String type, String title, String detail) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
		problem.setType(URI.create(PROBLEMS + type));
		problem.setTitle(title);
		return problem;
	}

	private Mono<Void> write(ServerWebExchange exchange, ProblemDetail problem) {
		ServerHttpResponse response = exchange.getResponse();
		response.setStatusCode(HttpStatus.valueOf(problem.getStatus()));
		response.getHeaders().setContentType(MediaType.APPLICATION_PROBLEM_JSON);
		DataBuffer body = response.bufferFactory().wrap(this.json.writeValueAsBytes(problem));
		return response.writeWith(Mono.just(body));
	}

}
