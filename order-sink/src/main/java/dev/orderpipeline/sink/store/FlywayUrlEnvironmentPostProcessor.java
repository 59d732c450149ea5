package dev.orderpipeline.sink.store;

import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
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
 * The R2DBC URL's TLS options become pgjdbc's ({@code sslMode=verify-full} is
 * {@code sslmode=verify-full}, {@code sslRootCert} is {@code sslrootcert}, ...), so that
 * migrations run over the same TLS as the service; an option without a JDBC counterpart
 * stops the start, naming it, unless {@code spring.flyway.url} is set.
 */
class FlywayUrlEnvironmentPostProcessor implements EnvironmentPostProcessor, Ordered {

	private static final Pattern R2DBC_POSTGRESQL = Pattern
		.compile("^r2dbc(s?):(?:pool:)?postgres(?:ql)?://([^?#]+)(?:\\?([^#]*))?");

	/**
	 * The R2DBC driver's options and pgjdbc's names for them (both case-sensitive). Not
	 * {@code sslKey}: the R2DBC driver reads a PEM key, pgjdbc a DER or PKCS#12 one.
	 */
	private static final Map<String, String> JDBC_OPTIONS = Map.of("sslMode", "sslmode", "sslRootCert", "sslrootcert",
			"sslCert", "sslcert", "sslPassword", "sslpassword", "applicationName", "ApplicationName", "schema",
			"currentSchema");

	@Override
	public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
		environment.getPropertySources().addLast(new FlywayFromR2dbc(environment));
	}

	/**
	 * The JDBC URL of the database an R2DBC URL names, with its options.
	 * @param r2dbcUrl an {@code r2dbc:postgresql://} URL
	 * @return the JDBC URL, or {@code null} if the URL is not PostgreSQL's
	 * @throws IllegalStateException if the URL has an option pgjdbc has no counterpart of
	 */
	static String jdbcUrl(String r2dbcUrl) {
		if (r2dbcUrl == null) {
			return null;
		}
		Matcher matcher = R2DBC_POSTGRESQL.matcher(r2dbcUrl);
		if (!matcher.find()) {
			return null;
		}
		StringJoiner options = new StringJoiner("&", "?", "").setEmptyValue("");
		String query = matcher.group(3);
		if (!matcher.group(1).isEmpty() && (query == null || !query.contains("sslMode="))) {
			// r2dbcs: requires TLS.
			options.add("sslmode=require");
		}
		if (query != null && !query.isEmpty()) {
			for (String option : query.split("&")) {
				int equals = option.indexOf('=');
				String name = (equals < 0) ? option : option.substring(0, equals);
				String value = (equals < 0) ? "" : option.substring(equals + 1);
				String jdbcName = JDBC_OPTIONS.get(name);
				if (jdbcName == null || (name.equals("sslMode") && sslMode(value) == null)) {
					throw new IllegalStateException("spring.r2dbc.url has the option " + name
							+ ", which the JDBC URL for Flyway cannot take: set spring.flyway.url (SPRING_FLYWAY_URL) "
							+ "with pgjdbc's options, or remove it");
				}
				options.add(jdbcName + "=" + (name.equals("sslMode") ? sslMode(value) : value));
			}
		}
		return "jdbc:postgresql://" + matcher.group(2) + options;
	}

	private static String sslMode(String r2dbcValue) {
		String mode = r2dbcValue.toLowerCase(Locale.ROOT).replace('_', '-');
		return switch (mode) {
			case "disable", "allow", "prefer", "require", "verify-ca", "verify-full" -> mode;
			default -> null;
		};
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
