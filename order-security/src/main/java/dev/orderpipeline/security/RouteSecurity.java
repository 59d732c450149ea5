package dev.orderpipeline.security;

import java.util.Optional;
import java.util.function.Function;

import reactor.core.publisher.Mono;

import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.authentication.AuthenticationCredentialsNotFoundException;
import org.springframework.security.authentication.AuthenticationServiceException;
import org.springframework.security.authentication.ReactiveAuthenticationManager;
import org.springframework.security.authorization.AuthorizationResult;
import org.springframework.security.authorization.ReactiveAuthorizationManager;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.core.context.ReactiveSecurityContextHolder;
import org.springframework.security.web.server.authentication.ServerAuthenticationConverter;
import org.springframework.security.web.server.firewall.ServerExchangeRejectedException;
import org.springframework.security.web.server.firewall.ServerWebExchangeFirewall;
import org.springframework.security.web.server.header.CacheControlServerHttpHeadersWriter;
import org.springframework.security.web.server.header.CompositeServerHttpHeadersWriter;
import org.springframework.security.web.server.header.ContentTypeOptionsServerHttpHeadersWriter;
import org.springframework.security.web.server.header.HttpHeaderWriterWebFilter;
import org.springframework.security.web.server.header.ReferrerPolicyServerHttpHeadersWriter;
import org.springframework.security.web.server.header.StrictTransportSecurityServerHttpHeadersWriter;
import org.springframework.security.web.server.header.XFrameOptionsServerHttpHeadersWriter;
import org.springframework.security.web.server.header.XXssProtectionServerHttpHeadersWriter;
import org.springframework.web.server.ServerWebExchange;

/**
 * The API chain's rules for one route that needs nothing else, applied without the filter
 * chain: for a route served on every order, whose cost per request matters more than any
 * other's. Every part is Spring Security's or the chain's own, in the chain's order: the
 * firewall, the default security headers, the bearer token read and checked by the
 * chain's converter and authentication manager, one authority required, and the chain's
 * answers to a refused request (400), a missing or invalid token (401) and a token
 * without the authority (403). The route's handler then runs with the caller in the
 * security context, as behind the chain.
 * <p>
 * With {@code orders.security.enabled=false} the handler runs without a caller, as behind
 * the chain that permits everything.
 */
public final class RouteSecurity {

	/**
	 * The order of a filter serving such a route: just ahead of Spring Security's filter
	 * chain ({@code WebFluxSecurityConfiguration.WEB_FILTER_CHAIN_FILTER_ORDER}, -100).
	 */
	public static final int ORDER = -101;

	private final ServerWebExchangeFirewall firewall;

	private final ProblemSecurityHandler problems;

	private final ServerAuthenticationConverter bearerTokens;

	private final ReactiveAuthenticationManager authentication;

	private final boolean enabled;

	/**
	 * The headers {@code ServerHttpSecurity.headers()} writes by default (its other
	 * writers write nothing unless configured).
	 */
	private final HttpHeaderWriterWebFilter headers = new HttpHeaderWriterWebFilter(
			new CompositeServerHttpHeadersWriter(new CacheControlServerHttpHeadersWriter(),
					new ContentTypeOptionsServerHttpHeadersWriter(),
					new StrictTransportSecurityServerHttpHeadersWriter(), new XFrameOptionsServerHttpHeadersWriter(),
					new XXssProtectionServerHttpHeadersWriter(), new ReferrerPolicyServerHttpHeadersWriter()));

	RouteSecurity(ServerWebExchangeFirewall firewall, ProblemSecurityHandler problems,
			ServerAuthenticationConverter bearerTokens, ReactiveAuthenticationManager authentication, boolean enabled) {
		this.firewall = firewall;
		this.problems = problems;
		this.bearerTokens = bearerTokens;
		this.authentication = authentication;
		this.enabled = enabled;
	}

	/**
	 * Serves a request of the route.
	 * @param exchange the request
	 * @param required what the caller's token must grant, as
	 * {@code AuthorityReactiveAuthorizationManager.hasAuthority} builds it once for the
	 * route
	 * @param handler what the route does once the caller may: answers every outcome of
	 * its own
	 * @return completes once the request is answered
	 */
	public Mono<Void> serve(ServerWebExchange exchange, ReactiveAuthorizationManager<ServerWebExchange> required,
			Function<ServerWebExchange, Mono<Void>> handler) {
		return this.firewall.getFirewalledExchange(exchange)
			.flatMap((checked) -> this.headers.filter(checked,
					(admitted) -> this.enabled ? authorize(admitted, required, handler) : handler.apply(admitted)))
			.onErrorResume(ServerExchangeRejectedException.class,
					(rejected) -> this.problems.handle(exchange, rejected));
	}

	private Mono<Void> authorize(ServerWebExchange exchange, ReactiveAuthorizationManager<ServerWebExchange> required,
			Function<ServerWebExchange, Mono<Void>> handler) {
		return this.bearerTokens.convert(exchange)
			.switchIfEmpty(Mono.error(() -> new AuthenticationCredentialsNotFoundException("Not Authenticated")))
			.flatMap(this.authentication::authenticate)
			.flatMap((caller) -> required.authorize(Mono.just(caller), exchange)
				.filter(AuthorizationResult::isGranted)
				.switchIfEmpty(Mono.error(() -> new AccessDeniedException("Access Denied")))
				.map((granted) -> Optional.of(caller)))
			// Only the checks' failures are answered here: the handler answers its own.
			// An issuer out of reach is no fault of the token: as behind the chain,
			// it is left to the server's error handling, not called an invalid token.
			.onErrorResume(RouteSecurity::refusesTheToken,
					(ex) -> this.problems.commence(exchange, (AuthenticationException) ex)
						.then(Mono.just(Optional.<Authentication>empty())))
			.onErrorResume(AccessDeniedException.class,
					(ex) -> this.problems.handle(exchange, ex).then(Mono.just(Optional.<Authentication>empty())))
			.flatMap((caller) -> caller.isEmpty() ? Mono.empty() : handler.apply(exchange)
				.contextWrite(ReactiveSecurityContextHolder.withAuthentication(caller.get())));
	}

	private static boolean refusesTheToken(Throwable ex) {
		return ex instanceof AuthenticationException && !(ex instanceof AuthenticationServiceException);
	}

}
