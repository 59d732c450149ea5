package dev.orderpipeline.testsupport;

import java.util.Map;

import org.springframework.boot.bootstrap.DefaultBootstrapContext;
import org.springframework.boot.context.config.ConfigDataEnvironmentPostProcessor;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.core.io.DefaultResourceLoader;

/**
 * A service's settings as Spring Boot loads them at start (its {@code application.yml}
 * and what that imports), without starting it.
 */
public final class ServiceSettings {

	private ServiceSettings() {
	}

	/**
	 * Loads the settings of the service on the class path.
	 * @param variables the environment variables, instead of the process's
	 * @param profiles the active profiles
	 * @return the environment
	 */
	public static ConfigurableEnvironment load(Map<String, Object> variables, String... profiles) {
		StandardEnvironment environment = new StandardEnvironment();
		environment.getPropertySources()
			.replace(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, new SystemEnvironmentPropertySource(
					StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, variables));
		ConfigDataEnvironmentPostProcessor.applyTo(environment, new DefaultResourceLoader(),
				new DefaultBootstrapContext(), profiles);
		return environment;
	}

}
