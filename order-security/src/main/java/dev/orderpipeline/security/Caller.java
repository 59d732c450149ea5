package dev.orderpipeline.security;

import java.util.Optional;

import reactor.core.publisher.Mono;

import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.ReactiveSecurityContextHolder;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;

/**
 * Who sent the current request.
 */
public final class Caller {

	private Caller() {
	}

	/**
	 * The caller authenticated by a bearer token; its name is the token's subject.
	 * @return the caller, or empty when the route was served without a token (anonymous
	 * legacy orders, or security off)
	 */
	public static Mono<Optional<Authentication>> current() {
		return ReactiveSecurityContextHolder.getContext()
			.map(SecurityContext::getAuthentication)
			.filter(JwtAuthenticationToken.class::isInstance)
			.map(Optional::of)
			.defaultIfEmpty(Optional.empty());
	}

}
