package dev.orderpipeline.sink.store;

import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Points Flyway at the database the service reads and writes through R2DBC, so one
 * setting ({@code spring.r2dbc.url}, {@code SPRING_R2DBC_URL}) configures both. An
 * explicit {@code spring.flyway.url} wins; set it when the JDBC connection needs options
 * (TLS, say) that the R2DBC URL's options do not carry over.
 */
class FlywayUrlEnvironmentPostProcessor implements EnvironmentPostProcessor, Ordered {

	private static final Pattern R2DBC_POSTGRESQL = Pattern.compile("^r2dbcs?:(?:pool:)?postgres(?:ql)?://([^?]+)");

	@Override
	public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
		String r2dbcUrl = environment.getProperty("spring.r2dbc.url");
		if (environment.containsProperty("spring.flyway.url") || r2dbcUrl == null) {
			return;
		}
		String jdbcUrl = jdbcUrl(r2dbcUrl);
		if (jdbcUrl == null) {
			return;
		}
		Map<String, Object> flyway = new HashMap<>();
		flyway.put("spring.flyway.url", jdbcUrl);
		copy(environment, "spring.r2dbc.username", "spring.flyway.user", flyway);
		copy(environment, "spring.r2dbc.password", "spring.flyway.password", flyway);
		environment.getPropertySources().addLast(new MapPropertySource("flywayFromR2dbc", flyway));
	}

	/**
	 * The JDBC URL of the database an R2DBC URL names.
	 * @param r2dbcUrl an {@code r2dbc:postgresql://} URL
	 * @return the JDBC URL, or {@code null} if the URL is not PostgreSQL's
	 */
	static String jdbcUrl(String r2dbcUrl) {
		Matcher matcher = R2DBC_POSTGRESQL.matcher(r2dbcUrl);
		return matcher.find() ? "jdbc:postgresql://" + matcher.group(1) : null;
	}

	private static void copy(ConfigurableEnvironment environment, String from, String to, Map<String, Object> target) {
		String value = environment.getProperty(from);
		if (value != null && !environment.containsProperty(to)) {
			target.put(to, value);
		}
	}

	@Override
	public int getOrder() {
		return Ordered.LOWEST_PRECEDENCE;
	}

}
