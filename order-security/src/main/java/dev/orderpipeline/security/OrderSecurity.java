package dev.orderpipeline.security;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.security.oauth2.server.resource.autoconfigure.OAuth2ResourceServerProperties;
import org.springframework.core.convert.converter.Converter;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.authentication.ReactiveAuthenticationManager;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.config.web.server.ServerHttpSecurity.AuthorizeExchangeSpec;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.security.oauth2.server.resource.authentication.JwtGrantedAuthoritiesConverter;
import org.springframework.security.oauth2.server.resource.authentication.JwtReactiveAuthenticationManager;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.security.web.server.context.NoOpServerSecurityContextRepository;
import org.springframework.security.web.server.firewall.ServerWebExchangeFirewall;
import org.springframework.security.web.server.util.matcher.ServerWebExchangeMatcher;
import org.springframework.util.StringUtils;

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

	private final OAuth2ResourceServerProperties.Jwt issuer;

	private final ObjectProvider<ReactiveJwtDecoder> decoder;

	private ReactiveJwtDecoder tokens;

	private ReactiveAuthenticationManager authentication;

	public OrderSecurity(OrderSecurityProperties properties, OAuth2ResourceServerProperties resourceServer,
			ProblemSecurityHandler problems, ObjectProvider<ReactiveJwtDecoder> decoder) {
		this.properties = properties;
		this.issuer = resourceServer.getJwt();
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
		stateless(http);
		if (!this.properties.enabled()) {
			logger.error("SECURITY IS OFF (orders.security.enabled=false): anyone who can reach this service "
					+ "can place and read orders in any name. Never run it like this with real orders.");
			return http.authorizeExchange((exchanges) -> exchanges.anyExchange().permitAll()).build();
		}
		return http.authorizeExchange(routes)
			.oauth2ResourceServer(this::bearerTokens)
			.exceptionHandling((exceptions) -> exceptions.authenticationEntryPoint(this.problems)
				.accessDeniedHandler(this.problems))
			.build();
	}

	/**
	 * The security of the management port: health (liveness and readiness included) and
	 * prometheus answer without a token, for the cluster's probes and scrapers; every
	 * other endpoint, exposed by mistake or on purpose, is refused. A valid token is read
	 * when one is sent, so that health shows its details to an administrator.
	 * @param http the builder, matching the management port's requests
	 * @param open the endpoints that answer without a token
	 * @return the filter chain
	 */
	SecurityWebFilterChain managementChain(ServerHttpSecurity http, ServerWebExchangeMatcher open) {
		stateless(http).authorizeExchange((exchanges) -> exchanges.matchers(open).permitAll().anyExchange().denyAll())
			.exceptionHandling((exceptions) -> exceptions.authenticationEntryPoint(this.problems)
				.accessDeniedHandler(this.problems));
		if (this.properties.enabled()) {
			http.oauth2ResourceServer(this::bearerTokens);
		}
		return http.build();
	}

	/**
	 * No session, no forms, no CSRF (no cookies are read): each request stands alone.
	 */
	private static ServerHttpSecurity stateless(ServerHttpSecurity http) {
		return http.csrf(ServerHttpSecurity.CsrfSpec::disable)
			.httpBasic(ServerHttpSecurity.HttpBasicSpec::disable)
			.formLogin(ServerHttpSecurity.FormLoginSpec::disable)
			.logout(ServerHttpSecurity.LogoutSpec::disable)
			.requestCache(ServerHttpSecurity.RequestCacheSpec::disable)
			.securityContextRepository(NoOpServerSecurityContextRepository.getInstance());
	}

	/**
	 * The API chain's rules for a route that is served without the chain (see
	 * {@link RouteSecurity}).
	 * @param firewall the firewall the chain applies
	 * @return the route's security
	 */
	public RouteSecurity routeSecurity(ServerWebExchangeFirewall firewall) {
		return new RouteSecurity(firewall, this.problems, new BearerTokenConverter(),
				this.properties.enabled() ? tokenAuthentication() : null, this.properties.enabled());
	}

	private void bearerTokens(ServerHttpSecurity.OAuth2ResourceServerSpec server) {
		server.authenticationEntryPoint(this.problems)
			.accessDeniedHandler(this.problems)
			.bearerTokenConverter(new BearerTokenConverter())
			.jwt((jwt) -> jwt.authenticationManager(tokenAuthentication()));
	}

	/**
	 * Who a bearer token names, and what it grants: the same for the chain and for a
	 * route served without it; built once.
	 * @return the authentication manager
	 */
	private synchronized ReactiveAuthenticationManager tokenAuthentication() {
		if (this.authentication == null) {
			JwtReactiveAuthenticationManager manager = new JwtReactiveAuthenticationManager(tokens());
			manager.setJwtAuthenticationConverter(authenticationConverter());
			this.authentication = manager;
		}
		return this.authentication;
	}

	/**
	 * The token decoder both chains share, remembering valid tokens; built once, after
	 * the issuer's settings are checked.
	 * @return the decoder
	 */
	private synchronized ReactiveJwtDecoder tokens() {
		if (this.tokens == null) {
			if (this.issuer.getAudiences().stream().noneMatch(StringUtils::hasText)) {
				throw new IllegalStateException("spring.security.oauth2.resourceserver.jwt.audiences is empty: "
						+ "without it every token of the issuer would do, whatever service it was issued for");
			}
			if (this.issuer.getPublicKeyLocation() != null && !StringUtils.hasText(this.issuer.getIssuerUri())
					&& !StringUtils.hasText(this.issuer.getJwkSetUri())) {
				throw new IllegalStateException("spring.security.oauth2.resourceserver.jwt.issuer-uri is not set: "
						+ "with only a public key, it names the issuer whose tokens are accepted (the iss claim)");
			}
			ReactiveJwtDecoder checking = this.decoder.getIfAvailable();
			if (checking == null) {
				throw new IllegalStateException("No token issuer is configured: set "
						+ "spring.security.oauth2.resourceserver.jwt.public-key-location, jwk-set-uri or issuer-uri "
						+ "(bin/run sets a development key), or turn security off explicitly with orders.security.enabled=false");
			}
			this.tokens = new CachingJwtDecoder(checking, this.properties.tokenCacheSize());
		}
		return this.tokens;
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
