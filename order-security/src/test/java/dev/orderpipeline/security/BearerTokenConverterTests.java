package dev.orderpipeline.security;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.server.resource.authentication.BearerTokenAuthenticationToken;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class BearerTokenConverterTests {

	private final BearerTokenConverter converter = new BearerTokenConverter();

	@ParameterizedTest
	@ValueSource(strings = { "Bearer abc.def-ghi_jkl~mno+pqr/stu==", "bearer abc", "BEARER a.b.c" })
	void readsAWellFormedToken(String header) {
		Authentication token = convert(header);
		assertThat(token).isInstanceOf(BearerTokenAuthenticationToken.class);
		assertThat(((BearerTokenAuthenticationToken) token).getToken()).isEqualTo(header.substring(7));
	}

	@ParameterizedTest
	@ValueSource(strings = { "Bearer", "Bearer ", "Bearer  abc", "Bearer a b", "Bearer a=b", "Bearer ab\u00e9",
			"Bearer' OR '1'='1", "Bearer\tabc" })
	void refusesAMalformedBearerToken(String header) {
		assertThatExceptionOfType(OAuth2AuthenticationException.class).isThrownBy(() -> convert(header))
			.satisfies((ex) -> assertThat(ex.getError().getErrorCode()).isEqualTo("invalid_token"));
	}

	@Test
	void ignoresOtherSchemesAndNoHeader() {
		assertThat(convert("Basic dXNlcjpwYXNz")).isNull();
		assertThat(this.converter.convert(MockServerWebExchange.from(MockServerHttpRequest.get("/"))).block()).isNull();
	}

	@Test
	void theFirewallRuleForHeaderValuesIsSpringSecuritysWithoutTheRegex() {
		assertThat(OrderSecurityAutoConfiguration.isAllowedHeaderValue("Bearer abc\tdef caf\u00e9")).isTrue();
		assertThat(OrderSecurityAutoConfiguration.isAllowedHeaderValue(null)).isTrue();
		assertThat(OrderSecurityAutoConfiguration.isAllowedHeaderValue("a\u0000b")).isFalse();
		assertThat(OrderSecurityAutoConfiguration.isAllowedHeaderValue("a\u0085b")).isFalse();
		assertThat(OrderSecurityAutoConfiguration.isAllowedHeaderValue("a\u0378b")).isFalse();
		assertThat(OrderSecurityAutoConfiguration.isAllowedHeaderValue("a\u007fb")).isFalse();
	}

	private Authentication convert(String header) {
		return this.converter
			.convert(MockServerWebExchange.from(MockServerHttpRequest.get("/").header("Authorization", header)))
			.block();
	}

}
