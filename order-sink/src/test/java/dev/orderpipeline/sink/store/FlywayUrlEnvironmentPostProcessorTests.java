package dev.orderpipeline.sink.store;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.SpringApplication;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

class FlywayUrlEnvironmentPostProcessorTests {

	@Test
	void migratesOverTheSameTlsAsTheService() {
		assertThat(FlywayUrlEnvironmentPostProcessor
			.jdbcUrl("r2dbc:postgresql://db.example.com:5432/orders?sslMode=verify-full&sslRootCert=/etc/ca/ca.crt"))
			.isEqualTo("jdbc:postgresql://db.example.com:5432/orders?sslmode=verify-full&sslrootcert=/etc/ca/ca.crt");
		assertThat(FlywayUrlEnvironmentPostProcessor
			.jdbcUrl("r2dbc:postgresql://db:5432/orders?sslMode=VERIFY_CA&sslCert=/c.crt&sslPassword=p"))
			.isEqualTo("jdbc:postgresql://db:5432/orders?sslmode=verify-ca&sslcert=/c.crt&sslpassword=p");
		assertThat(FlywayUrlEnvironmentPostProcessor.jdbcUrl("r2dbcs:postgresql://db/orders"))
			.isEqualTo("jdbc:postgresql://db/orders?sslmode=require");
		assertThat(FlywayUrlEnvironmentPostProcessor.jdbcUrl("r2dbcs:postgresql://db/orders?sslMode=verify-full"))
			.isEqualTo("jdbc:postgresql://db/orders?sslmode=verify-full");
		assertThat(FlywayUrlEnvironmentPostProcessor
			.jdbcUrl("r2dbc:pool:postgresql://db/orders?applicationName=order-sink&schema=intake"))
			.isEqualTo("jdbc:postgresql://db/orders?ApplicationName=order-sink&currentSchema=intake");
	}

	@Test
	void takesAUrlWithoutOptionsAsItIs() {
		assertThat(FlywayUrlEnvironmentPostProcessor.jdbcUrl("r2dbc:postgresql://127.0.0.1:5432/orders"))
			.isEqualTo("jdbc:postgresql://127.0.0.1:5432/orders");
		assertThat(FlywayUrlEnvironmentPostProcessor.jdbcUrl("r2dbc:h2:mem:///orders")).isNull();
	}

	@ParameterizedTest
	@ValueSource(strings = { "sslMode=tunnel", "connectTimeout=5s", "sslmode=require", "options=search_path%3Dx",
			"sslKey=/client.key" })
	void refusesAnOptionJdbcCannotTakeInsteadOfDroppingIt(String option) {
		assertThatIllegalStateException()
			.isThrownBy(() -> FlywayUrlEnvironmentPostProcessor.jdbcUrl("r2dbc:postgresql://db/orders?" + option))
			.withMessageContaining("spring.flyway.url")
			.withMessageContaining(option.substring(0, option.indexOf('=')));
	}

	@Test
	void anExplicitFlywayUrlWinsAndOtherwiseFollowsTheR2dbcSettings() {
		StandardEnvironment environment = new StandardEnvironment();
		environment.getPropertySources()
			.addFirst(new MapPropertySource("test", Map.of("spring.r2dbc.url",
					"r2dbc:postgresql://db/orders?sslMode=require", "spring.r2dbc.username", "orders")));
		new FlywayUrlEnvironmentPostProcessor().postProcessEnvironment(environment, new SpringApplication());
		assertThat(environment.getProperty("spring.flyway.url"))
			.isEqualTo("jdbc:postgresql://db/orders?sslmode=require");
		assertThat(environment.getProperty("spring.flyway.user")).isEqualTo("orders");
		environment.getPropertySources()
			.addFirst(new MapPropertySource("explicit", Map.of("spring.flyway.url", "jdbc:postgresql://other/orders")));
		assertThat(environment.getProperty("spring.flyway.url")).isEqualTo("jdbc:postgresql://other/orders");
	}

}
