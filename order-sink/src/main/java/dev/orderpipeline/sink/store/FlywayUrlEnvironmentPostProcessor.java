package dev.orderpipeline.sink.store;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.PropertySource;

/**
 * Points Flyway at the database the service reads and writes through R2DBC, so one
 * setting ({@code spring.r2dbc.url}, {@code SPRING_R2DBC_URL}) configures both. The
 * Flyway settings are derived when they are read, from whatever {@code spring.r2dbc.*} is
 * then, and rank below every other source: an explicit {@code spring.flyway.url} wins.
 * Set one when the JDBC connection needs options (TLS, say) that are not in the R2DBC
 * URL's host, port and database.
 */
class FlywayUrlEnvironmentPostProcessor implements EnvironmentPostProcessor, Ordered {

	private static final Pattern R2DBC_POSTGRESQL = Pattern.compile("^r2dbcs?:(?:pool:)?postgres(?:ql)?://([^?]+)");

	@Override
	public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
		environment.getPropertySources().addLast(new FlywayFromR2dbc(environment));
	}

	/**
	 * The JDBC URL of the database an R2DBC URL names.
	 * @param r2dbcUrl an {@code r2dbc:postgresql://} URL
	 * @return the JDBC URL, or {@code null} if the URL is not PostgreSQL's
	 */
	static String jdbcUrl(String r2dbcUrl) {
		if (r2dbcUrl == null) {
			return null;
		}
		Matcher matcher = R2DBC_POSTGRESQL.matcher(r2dbcUrl);
		return matcher.find() ? "jdbc:postgresql://" + matcher.group(1) : null;
	}

	@Override
	public int getOrder() {
		return Ordered.LOWEST_PRECEDENCE;
	}

	/**
	 * Keeps the environment in a field, not as its source: Boot expands a property source
	 * whose source is an environment into that environment's sources, which would include
	 * this one again.
	 */
	private static final class FlywayFromR2dbc extends PropertySource<Object> {

		private final ConfigurableEnvironment environment;

		FlywayFromR2dbc(ConfigurableEnvironment environment) {
			super("flywayFromR2dbc", new Object());
			this.environment = environment;
		}

		@Override
		public Object getProperty(String name) {
			return switch (name) {
				case "spring.flyway.url" -> jdbcUrl(this.environment.getProperty("spring.r2dbc.url"));
				case "spring.flyway.user" -> this.environment.getProperty("spring.r2dbc.username");
				case "spring.flyway.password" -> this.environment.getProperty("spring.r2dbc.password");
				default -> null;
			};
		}

	}

}
