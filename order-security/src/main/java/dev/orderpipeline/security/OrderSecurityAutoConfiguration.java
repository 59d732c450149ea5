package dev.orderpipeline.security;

import java.io.IOException;
import java.io.InputStream;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.web.server.ManagementPortType;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.security.autoconfigure.actuate.web.reactive.EndpointRequest;
import org.springframework.boot.security.oauth2.server.resource.autoconfigure.OAuth2ResourceServerProperties;
import org.springframework.boot.security.oauth2.server.resource.autoconfigure.reactive.ReactiveOAuth2ResourceServerAutoConfiguration;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.Environment;
import org.springframework.security.config.annotation.web.reactive.EnableWebFluxSecurity;
import org.springframework.security.config.observation.SecurityObservationSettings;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.converter.RsaKeyConverters;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtClaimNames;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtIssuerValidator;
import org.springframework.security.oauth2.jwt.JwtTypeValidator;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusReactiveJwtDecoder;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.security.web.server.firewall.ServerWebExchangeFirewall;
import org.springframework.security.web.server.firewall.StrictServerWebExchangeFirewall;
import org.springframework.security.web.server.util.matcher.ServerWebExchangeMatcher.MatchResult;
import org.springframework.security.web.server.util.matcher.ServerWebExchangeMatcher;
import org.springframework.util.StringUtils;

/**
 * The security both services share. Tokens are checked for signature, expiry (with a
 * minute of clock skew), issuer and audience, and must carry an expiry and a subject.
 */
@AutoConfiguration(before = ReactiveOAuth2ResourceServerAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
@EnableWebFluxSecurity
@EnableConfigurationProperties({ OrderSecurityProperties.class, OAuth2ResourceServerProperties.class })
public class OrderSecurityAutoConfiguration {

	@Bean
	ProblemSecurityHandler problemSecurityHandler(JsonMapper json) {
		return new ProblemSecurityHandler(json);
	}

	@Bean
	OrderSecurity orderSecurity(OrderSecurityProperties properties, OAuth2ResourceServerProperties resourceServer,
			ProblemSecurityHandler problems, ObjectProvider<ReactiveJwtDecoder> decoder) {
		return new OrderSecurity(properties, resourceServer, problems, decoder);
	}

	/**
	 * The API chain's rules for a route served without the chain.
	 * @param security the services' security
	 * @param firewall the chain's firewall
	 * @return the route's security
	 */
	@Bean
	RouteSecurity routeSecurity(OrderSecurity security, ServerWebExchangeFirewall firewall) {
		return security.routeSecurity(firewall);
	}

	/**
	 * Spring Security's own observations (a span and a timer around the filter chain,
	 * each filter, authentication and authorization) are off: they cost more per request
	 * than the token check, and {@code http.server.requests} already times every request
	 * with its outcome. A bean of this type in the application turns them back on.
	 * @return the settings
	 */
	@Bean
	@ConditionalOnMissingBean
	SecurityObservationSettings securityObservationSettings() {
		return SecurityObservationSettings.noObservations();
	}

	/**
	 * The management port belongs to the cluster's own network and its probes, which
	 * carry no tokens: health and prometheus answer there without one, and every other
	 * endpoint is refused, whatever {@code management.endpoints.web.exposure} says. With
	 * security on, the management server must have a port of its own, so that the
	 * actuator is never on the public port.
	 * @param http the builder
	 * @param environment where the ports are set
	 * @param security the services' security
	 * @return the management port's filter chain
	 */
	@Bean
	@Order(Ordered.HIGHEST_PRECEDENCE)
	SecurityWebFilterChain managementSecurityFilterChain(ServerHttpSecurity http, Environment environment,
			OrderSecurity security) {
		if (security.enabled() && ManagementPortType.get(environment) == ManagementPortType.SAME) {
			throw new IllegalStateException("management.server.port is the API's port (server.port): the actuator "
					+ "would answer on the public port. Give it a port of its own (the services' default is "
					+ "9000/9001), or management.server.port=-1 to turn it off");
		}
		return security.managementChain(http.securityMatcher(managementRequests(environment)),
				EndpointRequest.to("health", "prometheus"));
	}

	/**
	 * Requests to the management server: with a port of its own, every request there
	 * (told apart by its application context, before Boot's endpoint matcher, which looks
	 * a class up by name on every request it sees); on the API's port, requests to the
	 * actuator's endpoints.
	 * @param environment where the management port is set
	 * @return the matcher
	 */
	static ServerWebExchangeMatcher managementRequests(Environment environment) {
		ServerWebExchangeMatcher endpoints = EndpointRequest.toAnyEndpoint();
		if (ManagementPortType.get(environment) != ManagementPortType.DIFFERENT) {
			return endpoints;
		}
		return (exchange) -> {
			ApplicationContext context = exchange.getApplicationContext();
			if (context == null) {
				return endpoints.matches(exchange);
			}
			return WebServerApplicationContext.hasServerNamespace(context, "management") ? MatchResult.match()
					: MatchResult.notMatch();
		};
	}

	/**
	 * Spring Security's firewall with its rule for header values (assigned characters, no
	 * control characters but tab) checked by a loop instead of a Unicode-class regular
	 * expression, which cost more than placing the order with a 700-character token.
	 * @return the firewall
	 */
	@Bean
	ServerWebExchangeFirewall serverWebExchangeFirewall() {
		StrictServerWebExchangeFirewall firewall = new StrictServerWebExchangeFirewall();
		firewall.setAllowedHeaderValues(OrderSecurityAutoConfiguration::isAllowedHeaderValue);
		return firewall;
	}

	static boolean isAllowedHeaderValue(String value) {
		if (value == null) {
			// A header asked for and absent.
			return true;
		}
		for (int i = 0; i < value.length(); i++) {
			char c = value.charAt(i);
			if (c >= 0x20 && c < 0x7f) {
				continue;
			}
			if (c == '\t') {
				continue;
			}
			int codePoint = value.codePointAt(i);
			if (Character.isISOControl(codePoint) || !Character.isDefined(codePoint)) {
				return false;
			}
			if (Character.isSupplementaryCodePoint(codePoint)) {
				i++;
			}
		}
		return true;
	}

	/**
	 * The token types accepted (the {@code typ} header); replaces Spring Security's
	 * default, which accepts only {@code JWT} or none.
	 * @param properties the accepted types
	 * @return the check
	 */
	@Bean
	JwtTypeValidator tokenTypes(OrderSecurityProperties properties) {
		List<String> types = new ArrayList<>();
		for (String type : properties.tokenTypes()) {
			String bare = type.regionMatches(true, 0, "application/", 0, 12) ? type.substring(12) : type;
			types.add(bare);
			types.add("application/" + bare);
		}
		JwtTypeValidator validator = new JwtTypeValidator(types);
		validator.setAllowEmpty(types.stream().anyMatch("JWT"::equalsIgnoreCase));
		return validator;
	}

	@Bean
	OAuth2TokenValidator<Jwt> expiryRequired() {
		return new JwtClaimValidator<Instant>(JwtClaimNames.EXP, Objects::nonNull);
	}

	@Bean
	OAuth2TokenValidator<Jwt> subjectRequired() {
		return new JwtClaimValidator<String>(JwtClaimNames.SUB, (subject) -> subject != null && !subject.isBlank());
	}

	/**
	 * Tokens checked against a public key read from configuration, for installs that
	 * cannot reach their issuer (and for development): RS256 only, and the issuer and
	 * audience checked as for an issuer reached online.
	 * @param properties Spring Boot's resource server settings
	 * @param validators further checks
	 * @return the decoder
	 * @throws IOException when the key cannot be read
	 */
	@Bean
	@ConditionalOnProperty("spring.security.oauth2.resourceserver.jwt.public-key-location")
	ReactiveJwtDecoder publicKeyJwtDecoder(OAuth2ResourceServerProperties properties,
			ObjectProvider<OAuth2TokenValidator<Jwt>> validators) throws IOException {
		OAuth2ResourceServerProperties.Jwt jwt = properties.getJwt();
		RSAPublicKey key;
		try (InputStream pem = jwt.getPublicKeyLocation().getInputStream()) {
			key = RsaKeyConverters.x509().convert(pem);
		}
		NimbusReactiveJwtDecoder decoder = NimbusReactiveJwtDecoder.withPublicKey(key)
			.signatureAlgorithm(SignatureAlgorithm.RS256)
			.build();
		List<OAuth2TokenValidator<Jwt>> checks = new ArrayList<>(validators.orderedStream().toList());
		if (StringUtils.hasText(jwt.getIssuerUri())) {
			checks.add(new JwtIssuerValidator(jwt.getIssuerUri()));
		}
		List<String> audiences = jwt.getAudiences();
		checks.add(new JwtClaimValidator<List<String>>(JwtClaimNames.AUD,
				(given) -> given != null && given.stream().anyMatch(audiences::contains)));
		decoder.setJwtValidator(JwtValidators.createDefaultWithValidators(checks));
		return decoder;
	}

}
