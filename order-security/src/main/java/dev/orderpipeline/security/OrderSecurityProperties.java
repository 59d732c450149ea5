package dev.orderpipeline.security;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the HTTP APIs' security. The token issuer, its keys and the audience are
 * Spring Boot's {@code spring.security.oauth2.resourceserver.jwt.*}.
 *
 * @param enabled whether the APIs require a bearer token. Turning it off is logged as an
 * error at start and lets anyone place and read orders in any name. Default {@code true}.
 * @param rolesClaim the token claim that lists the caller's roles (such as
 * {@code pharmacist}). Default {@code roles}.
 * @param tokenCacheSize most valid tokens remembered until they expire, so that a
 * client's repeated token is not checked again on every request. Default 10000.
 */
@ConfigurationProperties("orders.security")
public record OrderSecurityProperties(@DefaultValue("true") boolean enabled, @DefaultValue("roles") String rolesClaim,
		@DefaultValue("10000") long tokenCacheSize) {

}
