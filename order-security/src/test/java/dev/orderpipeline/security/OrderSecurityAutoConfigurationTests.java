package dev.orderpipeline.security;

import dev.orderpipeline.testsupport.TestTokens;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.security.config.observation.SecurityObservationSettings;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtTypeValidator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the shared security configuration adds to a service beyond its filter chains.
 */
class OrderSecurityAutoConfigurationTests {

	private final ReactiveWebApplicationContextRunner runner = new ReactiveWebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(JacksonAutoConfiguration.class, OrderSecurityAutoConfiguration.class))
		.withPropertyValues("orders.security.enabled=false");

	private final ReactiveWebApplicationContextRunner secured = new ReactiveWebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(JacksonAutoConfiguration.class, OrderSecurityAutoConfiguration.class))
		.withPropertyValues(TestTokens.shared()
			.properties()
			.entrySet()
			.stream()
			.map((property) -> property.getKey() + "=" + property.getValue())
			.toArray(String[]::new))
		.withPropertyValues("server.port=0", "management.server.port=0");

	@Test
	void startsWithTheManagementServerOnAPortOfItsOwn() {
		this.secured.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void refusesToStartWithTheActuatorOnTheApisPort() {
		this.secured.withPropertyValues("server.port=8000", "management.server.port=8000")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("management.server.port is the API's port"));
		this.secured.withPropertyValues("server.port=8000", "management.server.port=")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("management.server.port is the API's port"));
	}

	@Test
	void refusesToStartWithoutAnAudience() {
		this.secured.withPropertyValues("spring.security.oauth2.resourceserver.jwt.audiences=")
			.run((context) -> assertThat(context).getFailure().rootCause().hasMessageContaining("audiences is empty"));
	}

	@Test
	void refusesToStartWithAPublicKeyAndNoIssuer() {
		this.secured.withPropertyValues("spring.security.oauth2.resourceserver.jwt.issuer-uri=")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("issuer-uri is not set"));
	}

	@Test
	void acceptsBothTokenTypesByDefault() {
		this.runner.run((context) -> {
			JwtTypeValidator types = context.getBean(JwtTypeValidator.class);
			assertThat(types.validate(jwt("JWT")).hasErrors()).isFalse();
			assertThat(types.validate(jwt(null)).hasErrors()).isFalse();
			assertThat(types.validate(jwt("at+jwt")).hasErrors()).isFalse();
			assertThat(types.validate(jwt("AT+JWT")).hasErrors()).isFalse();
			assertThat(types.validate(jwt("application/at+jwt")).hasErrors()).isFalse();
			assertThat(types.validate(jwt("JOSE")).hasErrors()).isTrue();
		});
	}

	@Test
	void acceptsOnlyAccessTokensInStrictMode() {
		this.runner.withPropertyValues("orders.security.token-types=at+jwt").run((context) -> {
			JwtTypeValidator types = context.getBean(JwtTypeValidator.class);
			assertThat(types.validate(jwt("at+jwt")).hasErrors()).isFalse();
			assertThat(types.validate(jwt("application/at+jwt")).hasErrors()).isFalse();
			assertThat(types.validate(jwt("JWT")).hasErrors()).isTrue();
			assertThat(types.validate(jwt(null)).hasErrors()).isTrue();
		});
	}

	private static Jwt jwt(String type) {
		Jwt.Builder jwt = Jwt.withTokenValue("token").header("alg", "RS256").subject("user-1");
		if (type != null) {
			jwt.header("typ", type);
		}
		return jwt.build();
	}

	@Test
	void turnsSpringSecuritysOwnObservationsOff() {
		this.runner.run((context) -> {
			SecurityObservationSettings settings = context.getBean(SecurityObservationSettings.class);
			assertThat(settings.shouldObserveRequests()).isFalse();
			assertThat(settings.shouldObserveAuthentications()).isFalse();
			assertThat(settings.shouldObserveAuthorizations()).isFalse();
		});
	}

	@Test
	void leavesThemToAnApplicationThatDefinesItsOwnSettings() {
		this.runner
			.withBean(SecurityObservationSettings.class,
					() -> SecurityObservationSettings.withDefaults().shouldObserveRequests(true).build())
			.run((context) -> assertThat(context.getBean(SecurityObservationSettings.class).shouldObserveRequests())
				.isTrue());
	}

}
