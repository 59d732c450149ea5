package dev.orderpipeline.security;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.security.config.observation.SecurityObservationSettings;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the shared security configuration adds to a service beyond its filter chains.
 */
class OrderSecurityAutoConfigurationTests {

	private final ReactiveWebApplicationContextRunner runner = new ReactiveWebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(JacksonAutoConfiguration.class, OrderSecurityAutoConfiguration.class))
		.withPropertyValues("orders.security.enabled=false");

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
