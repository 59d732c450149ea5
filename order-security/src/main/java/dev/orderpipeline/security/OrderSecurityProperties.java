package dev.orderpipeline.security;

import java.util.List;

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
 * @param tokenCacheSize most valid tokens remembered (each for a minute at most), so that
 * a client's repeated token is not checked again on every request. Default 1000.
 * @param tokenTypes the token types ({@code typ} header) accepted, compared without case
 * and with or without {@code application/}: {@code JWT} (which also admits tokens without
 * a {@code typ}) and {@code at+jwt}, the RFC 9068 access tokens that several identity
 * providers issue. {@code at+jwt} alone accepts nothing else. Default {@code JWT,at+jwt}.
 * Tokens of other kinds that share the issuer, such as ID tokens, are kept out by the
 * audience check.
 */
@ConfigurationProperties("orders.security")
public record OrderSecurityProperties(@DefaultValue("true") boolean enabled, @DefaultValue("roles") String rolesClaim,
		@DefaultValue("1000") long tokenCacheSize, @DefaultValue( {
				"JWT", "at+jwt" }) List<String> tokenTypes){

}
