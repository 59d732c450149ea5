package dev.orderpipeline.security;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.core.convert.converter.Converter;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.config.web.server.ServerHttpSecurity.AuthorizeExchangeSpec;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.security.oauth2.server.resource.authentication.JwtGrantedAuthoritiesConverter;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.security.web.server.context.NoOpServerSecurityContextRepository;

/**
 * Builds a service's API security: a stateless OAuth2 resource server taking JWT bearer
 * tokens, with the service's own rules per route. With
 * {@code orders.security.enabled=false} every route is open, which the service logs as an
 * error at start.
 */
public class OrderSecurity {

	private static final Log logger = LogFactory.getLog(OrderSecurity.class);

	private final OrderSecurityProperties properties;

	private final ProblemSecurityHandler problems;

	private final ObjectProvider<ReactiveJwtDecoder> decoder;

	public OrderSecurity(OrderSecurityProperties properties, ProblemSecurityHandler problems,
			ObjectProvider<ReactiveJwtDecoder> decoder) {
		this.properties = properties;
		this.problems = problems;
		this.decoder = decoder;
	}

	/**
	 * Whether requests must carry a valid token.
	 * @return {@code false} only when turned off explicitly
	 */
	public boolean enabled() {
		return this.properties.enabled();
	}

	/**
	 * The security of a service's API.
	 * @param http the builder
	 * @param routes who may do what, applied when security is on
	 * @return the filter chain
	 */
	public SecurityWebFilterChain apiChain(ServerHttpSecurity http, Customizer<AuthorizeExchangeSpec> routes) {
		http.csrf(ServerHttpSecurity.CsrfSpec::disable)
			.httpBasic(ServerHttpSecurity.HttpBasicSpec::disable)
			.formLogin(ServerHttpSecurity.FormLoginSpec::disable)
			.logout(ServerHttpSecurity.LogoutSpec::disable)
			.requestCache(ServerHttpSecurity.RequestCacheSpec::disable)
			.securityContextRepository(NoOpServerSecurityContextRepository.getInstance());
		if (!this.properties.enabled()) {
			logger.error("SECURITY IS OFF (orders.security.enabled=false): anyone who can reach this service "
					+ "can place and read orders in any name. Never run it like this with real orders.");
			return http.authorizeExchange((exchanges) -> exchanges.anyExchange().permitAll()).build();
		}
		ReactiveJwtDecoder tokens = this.decoder.getIfAvailable();
		if (tokens == null) {
			throw new IllegalStateException("No token issuer is configured: set "
					+ "spring.security.oauth2.resourceserver.jwt.public-key-location, jwk-set-uri or issuer-uri "
					+ "(bin/run sets a development key), or turn security off explicitly with orders.security.enabled=false");
		}
		ReactiveJwtDecoder remembering = new CachingJwtDecoder(tokens, this.properties.tokenCacheSize());
		return http.authorizeExchange(routes)
			.oauth2ResourceServer((server) -> server.authenticationEntryPoint(this.problems)
				.accessDeniedHandler(this.problems)
				.bearerTokenConverter(new BearerTokenConverter())
				.jwt((jwt) -> jwt.jwtDecoder(remembering).jwtAuthenticationConverter(authenticationConverter())))
			.exceptionHandling((exceptions) -> exceptions.authenticationEntryPoint(this.problems)
				.accessDeniedHandler(this.problems))
			.build();
	}

	private Converter<Jwt, Mono<AbstractAuthenticationToken>> authenticationConverter() {
		JwtGrantedAuthoritiesConverter scopes = new JwtGrantedAuthoritiesConverter();
		String rolesClaim = this.properties.rolesClaim();
		return (jwt) -> {
			Collection<GrantedAuthority> authorities = new ArrayList<>(scopes.convert(jwt));
			List<String> roles = jwt.hasClaim(rolesClaim) ? jwt.getClaimAsStringList(rolesClaim) : List.of();
			roles.forEach((role) -> authorities.add(new SimpleGrantedAuthority("ROLE_" + role)));
			return Mono.just(new JwtAuthenticationToken(jwt, authorities, jwt.getSubject()));
		};
	}

}
