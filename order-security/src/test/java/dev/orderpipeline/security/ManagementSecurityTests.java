package dev.orderpipeline.security;

import dev.orderpipeline.testsupport.TestTokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.actuate.management.HeapDumpWebEndpoint;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The management port of a service with every actuator endpoint exposed (one debugging
 * setting): only health and prometheus answer, health shows its details only to an
 * administrator, and there are no heap dumps.
 */
@SpringBootTest(classes = ManagementSecurityTests.Service.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "management.server.port=0", "management.endpoints.web.exposure.include=*",
				"management.endpoint.health.probes.enabled=true" })
class ManagementSecurityTests {

	private static final TestTokens TOKENS = TestTokens.shared();

	@LocalManagementPort
	private int managementPort;

	@LocalServerPort
	private int apiPort;

	@Autowired
	private ApplicationContext context;

	@DynamicPropertySource
	static void tokens(DynamicPropertyRegistry registry) {
		TOKENS.register(registry);
	}

	@ParameterizedTest
	@ValueSource(strings = { "/actuator/health", "/actuator/health/liveness", "/actuator/health/readiness",
			"/actuator/prometheus" })
	void probesAndScrapersNeedNoToken(String path) {
		management().get().uri(path).exchange().expectStatus().isOk();
	}

	@ParameterizedTest
	@ValueSource(strings = { "/actuator/env", "/actuator/threaddump", "/actuator/loggers", "/actuator/heapdump",
			"/actuator/configprops", "/actuator/beans", "/actuator/mappings", "/actuator/metrics", "/actuator",
			"/actuator/env/spring.r2dbc.password" })
	void everyOtherEndpointIsRefusedWithoutAToken(String path) {
		management().get().uri(path).exchange().expectStatus().isUnauthorized();
	}

	@ParameterizedTest
	@ValueSource(strings = { "/actuator/env", "/actuator/threaddump", "/actuator/loggers", "/actuator/heapdump" })
	void andEvenToAnAdministrator(String path) {
		String admin = TOKENS.claims("ops-1").roles("admin").sign();
		management().get()
			.uri(path)
			.headers((headers) -> headers.setBearerAuth(admin))
			.exchange()
			.expectStatus()
			.isForbidden();
		management().post()
			.uri("/actuator/loggers/ROOT")
			.headers((headers) -> headers.setBearerAuth(admin))
			.bodyValue("{\"configuredLevel\":\"TRACE\"}")
			.exchange()
			.expectStatus()
			.isForbidden();
	}

	@Test
	void heapDumpsAreOff() {
		assertThat(this.context.getBeansOfType(HeapDumpWebEndpoint.class)).isEmpty();
	}

	@Test
	void healthShowsTheStatusAloneToAnonymousCallers() {
		management().get()
			.uri("/actuator/health")
			.exchange()
			.expectBody()
			.jsonPath("$.status")
			.isEqualTo("UP")
			.jsonPath("$.components")
			.doesNotExist();
	}

	@Test
	void andToCallersWhoAreNotAdministrators() {
		String pharmacist = TOKENS.claims("ph-1").roles("pharmacist").scopes("orders:read").sign();
		management().get()
			.uri("/actuator/health")
			.headers((headers) -> headers.setBearerAuth(pharmacist))
			.exchange()
			.expectBody()
			.jsonPath("$.components")
			.doesNotExist();
	}

	@Test
	void healthShowsItsComponentsToAnAdministrator() {
		String admin = TOKENS.claims("ops-1").roles("admin").sign();
		management().get()
			.uri("/actuator/health")
			.headers((headers) -> headers.setBearerAuth(admin))
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.components.ping.status")
			.isEqualTo("UP");
	}

	@Test
	void theActuatorIsNotOnTheApiPort() {
		String admin = TOKENS.claims("ops-1").roles("admin").sign();
		WebTestClient api = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + this.apiPort).build();
		api.get()
			.uri("/actuator/env")
			.headers((headers) -> headers.setBearerAuth(admin))
			.exchange()
			.expectStatus()
			.isNotFound();
	}

	@ParameterizedTest
	@ValueSource(strings = { "JWT", "at+jwt", "application/at+jwt" })
	void theApiTakesAccessTokensOfEitherType(String type) {
		String token = TOKENS.claims("user-1").type(type).sign();
		api().get().uri("/hello").headers((headers) -> headers.setBearerAuth(token)).exchange().expectStatus().isOk();
	}

	@Test
	void andTokensWithoutAType() {
		String token = TOKENS.claims("user-1").type(null).sign();
		api().get().uri("/hello").headers((headers) -> headers.setBearerAuth(token)).exchange().expectStatus().isOk();
	}

	@ParameterizedTest
	@ValueSource(strings = { "JOSE", "secevent+jwt", "logout+jwt" })
	void butNoTokenOfAnotherType(String type) {
		String token = TOKENS.claims("user-1").type(type).sign();
		api().get()
			.uri("/hello")
			.headers((headers) -> headers.setBearerAuth(token))
			.exchange()
			.expectStatus()
			.isUnauthorized();
	}

	private WebTestClient management() {
		return WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + this.managementPort).build();
	}

	private WebTestClient api() {
		return WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + this.apiPort).build();
	}

	/**
	 * A service with one route that needs a token.
	 */
	@SpringBootConfiguration
	@EnableAutoConfiguration
	@RestController
	static class Service {

		@Bean
		SecurityWebFilterChain api(ServerHttpSecurity http, OrderSecurity security) {
			return security.apiChain(http, (routes) -> routes.anyExchange().authenticated());
		}

		@GetMapping("/hello")
		String hello() {
			return "hello";
		}

	}

}
