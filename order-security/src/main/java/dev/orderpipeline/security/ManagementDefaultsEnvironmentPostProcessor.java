package dev.orderpipeline.security;

import java.util.Map;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * The actuator's defaults in both services, below every other source: no heap dumps (one
 * would hold the database and broker passwords, remembered tokens and order bodies), and
 * health's components and details shown only to a caller with the {@code admin} role;
 * everyone else, the cluster's probes among them, sees the status alone.
 */
class ManagementDefaultsEnvironmentPostProcessor implements EnvironmentPostProcessor, Ordered {

	static final Map<String, Object> DEFAULTS = Map.of("management.endpoint.heapdump.access", "none",
			"management.endpoint.health.show-details", "when-authorized", "management.endpoint.health.show-components",
			"when-authorized", "management.endpoint.health.roles", "admin");

	@Override
	public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
		environment.getPropertySources().addLast(new MapPropertySource("orderSecurityManagementDefaults", DEFAULTS));
	}

	@Override
	public int getOrder() {
		return Ordered.LOWEST_PRECEDENCE;
	}

}
