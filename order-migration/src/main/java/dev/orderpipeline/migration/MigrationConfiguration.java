package dev.orderpipeline.migration;

import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.function.Supplier;

import com.zaxxer.hikari.HikariDataSource;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.jdbc.DataSourceBuilder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Lazy;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.client.RestClient;

/**
 * The migration's parts, from {@link MigrationProperties}: built when the command asks
 * for them, so that a setting missing is reported as such, not as a failed start.
 */
@Configuration(proxyBeanMethods = false)
@Lazy
class MigrationConfiguration {

	@Bean
	HikariDataSource legacyDataSource(MigrationProperties properties) {
		MigrationProperties.Legacy legacy = properties.legacy();
		require(legacy.url(), "orders.migration.legacy.url (the legacy database's JDBC URL)");
		return dataSource("legacy", legacy.url(), legacy.username(), legacy.password());
	}

	@Bean
	HikariDataSource storeDataSource(MigrationProperties properties) {
		MigrationProperties.Database store = properties.store();
		require(store.url(), "orders.migration.store.url (the pipeline database's JDBC URL)");
		return dataSource("store", store.url(), store.username(), store.password());
	}

	@Bean
	LegacyTable legacyTable(MigrationProperties properties, HikariDataSource legacyDataSource, JsonMapper json) {
		return new LegacyTable(JdbcClient.create(legacyDataSource), properties.legacy(), json);
	}

	@Bean
	Reconciliation reconciliation(MigrationProperties properties, LegacyTable legacyTable,
			HikariDataSource storeDataSource, JsonMapper json) {
		return new Reconciliation(legacyTable, JdbcClient.create(storeDataSource), rejects(properties, json),
				properties.verifyTimeout(), Sleeper.THREAD);
	}

	@Bean
	Migration migration(MigrationProperties properties, LegacyTable legacyTable, RestClient.Builder rest,
			JsonMapper json) {
		require(properties.intakeUrl(), "orders.migration.intake-url (order-source's base URL)");
		if (properties.batchSize() < 1 || properties.parallelStreams() < 1 || properties.maxAttempts() < 1) {
			throw new MigrationRefusedException(
					"orders.migration.batch-size, .parallel-streams and .max-attempts must be at least 1");
		}
		HttpClient http = HttpClient.newBuilder()
			.version(HttpClient.Version.HTTP_1_1)
			.connectTimeout(Duration.ofSeconds(10))
			.build();
		JdkClientHttpRequestFactory requests = new JdkClientHttpRequestFactory(http);
		requests.setReadTimeout(properties.requestTimeout());
		IntakeClient intake = new IntakeClient(
				rest.requestFactory(requests).baseUrl(properties.intakeUrl().toString()).build(), json,
				token(properties));
		return new Migration(legacyTable, intake,
				Checkpoint.of(properties.checkpoint(), legacyTable.name() + " into " + properties.intakeUrl()),
				rejects(properties, json), properties.batchSize(), properties.parallelStreams(),
				properties.maxAttempts(), Sleeper.THREAD);
	}

	private static Rejects rejects(MigrationProperties properties, JsonMapper json) {
		return new Rejects(properties.rejects(), json);
	}

	/** The token, from the file read again for every stream, or as given. */
	private static Supplier<String> token(MigrationProperties properties) {
		if (properties.tokenFile() != null) {
			return () -> {
				try {
					return Files.readString(properties.tokenFile(), StandardCharsets.UTF_8).trim();
				}
				catch (IOException ex) {
					throw new MigrationRefusedException(
							"The token file " + properties.tokenFile() + " cannot be read: " + ex);
				}
			};
		}
		require(properties.token(), "orders.migration.token or orders.migration.token-file (a bearer token with "
				+ "the scopes orders:write and orders:migrate)");
		return properties::token;
	}

	/** Both databases are only read. */
	private static HikariDataSource dataSource(String name, String url, String username, String password) {
		HikariDataSource dataSource = DataSourceBuilder.create()
			.type(HikariDataSource.class)
			.url(url)
			.username(username)
			.password(password)
			.build();
		dataSource.setPoolName(name);
		dataSource.setMaximumPoolSize(2);
		dataSource.setReadOnly(true);
		return dataSource;
	}

	private static void require(Object value, String setting) {
		if (value == null || value.toString().isBlank()) {
			throw new MigrationRefusedException("Set " + setting);
		}
	}

}
