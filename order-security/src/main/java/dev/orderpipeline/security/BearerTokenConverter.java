package dev.orderpipeline.security;

import reactor.core.publisher.Mono;

import org.springframework.http.HttpHeaders;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.server.resource.BearerTokenErrors;
import org.springframework.security.oauth2.server.resource.authentication.BearerTokenAuthenticationToken;
import org.springframework.security.web.server.authentication.ServerAuthenticationConverter;
import org.springframework.web.server.ServerWebExchange;

/**
 * Reads the bearer token of the {@code Authorization} header, as Spring Security's
 * {@code ServerBearerTokenAuthenticationConverter} does (RFC 6750 token68 syntax, the
 * header only), without its case-insensitive regular expression: run over a token of some
 * 700 characters it took more CPU than the rest of placing an order.
 */
public class BearerTokenConverter implements ServerAuthenticationConverter {

	private static final String BEARER = "Bearer";

	@Override
	public Mono<Authentication> convert(ServerWebExchange exchange) {
		return Mono.fromCallable(() -> token(exchange.getRequest().getHeaders().getFirst(HttpHeaders.AUTHORIZATION)));
	}

	private static Authentication token(String header) {
		if (header == null || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
			return null;
		}
		if (header.length() < BEARER.length() + 2 || header.charAt(BEARER.length()) != ' '
				|| !isToken68(header, BEARER.length() + 1)) {
			throw new OAuth2AuthenticationException(BearerTokenErrors.invalidToken("Bearer token is malformed"));
		}
		return new BearerTokenAuthenticationToken(header.substring(BEARER.length() + 1));
	}

	/**
	 * RFC 6750: {@code 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="}.
	 */
	static boolean isToken68(String value, int from) {
		int i = from;
		while (i < value.length() && isTokenChar(value.charAt(i))) {
			i++;
		}
		if (i == from) {
			return false;
		}
		while (i < value.length() && value.charAt(i) == '=') {
			i++;
		}
		return i == value.length();
	}

	private static boolean isTokenChar(char c) {
		return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
				|| c == '_' || c == '~' || c == '+' || c == '/';
	}

}
