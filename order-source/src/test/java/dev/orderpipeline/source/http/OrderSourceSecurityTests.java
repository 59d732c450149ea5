package dev.orderpipeline.source.http;

import java.time.Instant;
import java.util.stream.Stream;

import dev.orderpipeline.contracts.OrderPlaced;
import dev.orderpipeline.security.OrderSecurityAutoConfiguration;
import dev.orderpipeline.source.OrderSourceConfiguration;
import dev.orderpipeline.source.intake.OrderIntake;
import dev.orderpipeline.source.intake.OrderMetrics;
import dev.orderpipeline.source.intake.SenderRateLimiter;
import dev.orderpipeline.source.intake.StatusCommands;
import dev.orderpipeline.source.publishing.OrderPublisher;
import dev.orderpipeline.testsupport.TestTokens;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.webflux.test.autoconfigure.WebFluxTest;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.BDDMockito.given;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;

/**
 * Who may place orders: tokens checked for signature, algorithm, issuer, audience and
 * expiry; the scope {@code orders:write}; the sender is the token's subject; a rate limit
 * per sender. Every refusal is problem+json and publishes nothing.
 */
class OrderSourceSecurityTests {

	private static final String BODY = "{\"medicationId\": \"med-1\", \"sender_userId\": \"user-1\"}";

	private static final TestTokens tokens = TestTokens.shared();

	static Stream<Arguments> badTokens() {
		return Stream.of(Arguments.of("expired",
				tokens.claims("user-1").scopes("orders:write").expiresAt(Instant.now().minusSeconds(300)).sign()),
				Arguments.of("wrong issuer",
						tokens.claims("user-1").scopes("orders:write").issuer("https://evil.example").sign()),
				Arguments.of("wrong audience",
						tokens.claims("user-1").scopes("orders:write").audience("another-service").sign()),
				Arguments.of("signed by an untrusted key",
						tokens.claims("user-1").scopes("orders:write").signWithUntrustedKey()),
				Arguments.of("alg none", tokens.claims("user-1").scopes("orders:write").unsigned()),
				Arguments.of("HS256 with the public key as secret",
						tokens.claims("user-1").scopes("orders:write").signHs256WithPublicKey()),
				Arguments.of("no expiry", tokens.claims("user-1").scopes("orders:write").expiresAt(null).sign()),
				Arguments.of("no subject", tokens.claims("user-1").scopes("orders:write").subject(null).sign()),
				Arguments.of("not a JWT", "not-a-token"));
	}

	@WebFluxTest(controllers = OrderController.class)
	@Import({ OrderRequestReader.class, JsonBodies.class, OrderSourceConfiguration.class, OrderMetrics.class,
			SimpleMeterRegistry.class, SourceSecurityConfiguration.class, SenderRateLimiter.class, OrderIntake.class,
			StatusCommands.class })
	@ImportAutoConfiguration(OrderSecurityAutoConfiguration.class)
	abstract static class Slice {

		@Autowired
		WebTestClient client;

		@MockitoBean
		OrderPublisher publisher;

		@DynamicPropertySource
		static void tokens(DynamicPropertyRegistry registry) {
			TestTokens.shared().register(registry);
		}

		@BeforeEach
		void brokerConfirms() {
			given(this.publisher.publish(any(OrderPlaced.class))).willReturn(Mono.empty());
		}

		WebTestClient.ResponseSpec post(String route, String body, String token) {
			return this.client.post().uri(route).contentType(MediaType.APPLICATION_JSON).headers((headers) -> {
				if (token != null) {
					headers.setBearerAuth(token);
				}
			}).bodyValue(body).exchange();
		}

		void assertProblem(WebTestClient.ResponseSpec response, int status, String type) {
			response.expectStatus()
				.isEqualTo(status)
				.expectHeader()
				.contentType(MediaType.APPLICATION_PROBLEM_JSON)
				.expectBody()
				.jsonPath("$.status")
				.isEqualTo(status)
				.jsonPath("$.type")
				.isEqualTo("https://orderpipeline.dev/problems/" + type);
		}

	}

	@Nested
	class Default extends Slice {

		@Test
		void placesAnOrderWithAValidTokenOfTheSender() {
			post("/orders", BODY, tokens.token("user-1", "orders:write")).expectStatus().isAccepted();
			verify(this.publisher).publish(any(OrderPlaced.class));
		}

		@Test
		void answers401WithoutAToken() {
			WebTestClient.ResponseSpec response = post("/orders", BODY, null);
			response.expectHeader().valueEquals(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
			assertProblem(response, 401, "token-required");
			verify(this.publisher, never()).publish(any(OrderPlaced.class));
		}

		@ParameterizedTest(name = "{0}")
		@MethodSource("dev.orderpipeline.source.http.OrderSourceSecurityTests#badTokens")
		void answers401ForABadToken(String problem, String token) {
			WebTestClient.ResponseSpec response = post("/orders", BODY, token);
			response.expectHeader().valueEquals(HttpHeaders.WWW_AUTHENTICATE, "Bearer error=\"invalid_token\"");
			assertProblem(response, 401, "invalid-token");
			verify(this.publisher, never()).publish(any(OrderPlaced.class));
		}

		@Test
		void answers403WithoutTheWriteScope() {
			WebTestClient.ResponseSpec response = post("/orders", BODY, tokens.token("user-1", "orders:read"));
			assertProblem(response, 403, "forbidden");
			verify(this.publisher, never()).publish(any(OrderPlaced.class));
		}

		@Test
		void answers403ForAnOrderInAnotherSendersName() {
			WebTestClient.ResponseSpec response = post("/orders", BODY, tokens.token("user-2", "orders:write"));
			response.expectStatus()
				.isForbidden()
				.expectHeader()
				.contentType(MediaType.APPLICATION_PROBLEM_JSON)
				.expectBody()
				.jsonPath("$.type")
				.isEqualTo("https://orderpipeline.dev/problems/sender-mismatch")
				.jsonPath("$.errors[0].field")
				.isEqualTo("sender_userId");
			verify(this.publisher, never()).publish(any(OrderPlaced.class));
		}

		@Test
		void theLegacyRouteNeedsATokenOfTheSenderToo() {
			assertProblem(post("/queue/neworder", BODY, null), 401, "token-required");
			assertProblem(post("/queue/neworder", BODY, tokens.token("user-2", "orders:write")), 403,
					"sender-mismatch");
			verify(this.publisher, never()).publish(any(OrderPlaced.class));
			post("/queue/neworder", BODY, tokens.token("user-1", "orders:write")).expectStatus().isOk();
		}

		@Test
		void anUnknownRouteNeedsAToken() {
			assertProblem(this.client.get().uri("/anything").exchange(), 401, "token-required");
		}

	}

	@Nested
	@WebFluxTest(properties = { "orders.source.rate-limit.burst=3", "orders.source.rate-limit.orders-per-second=1" })
	class RateLimited extends Slice {

		@Test
		void answers429WithRetryAfterOnceASenderUsedItsBurst() {
			String token = tokens.token("user-1", "orders:write");
			for (int i = 0; i < 3; i++) {
				post("/orders", BODY, token).expectStatus().isAccepted();
			}
			WebTestClient.ResponseSpec limited = post("/orders", BODY, token);
			limited.expectHeader().valueEquals(HttpHeaders.RETRY_AFTER, "1");
			assertProblem(limited, 429, "rate-limited");
			// Another sender has an allowance of its own.
			post("/orders", "{\"medicationId\": \"m\", \"sender_userId\": \"user-2\"}",
					tokens.token("user-2", "orders:write"))
				.expectStatus()
				.isAccepted();
		}

	}

	@Nested
	@WebFluxTest(properties = { "orders.source.allow-anonymous-legacy-orders=true", "orders.source.rate-limit.burst=3",
			"orders.source.rate-limit.orders-per-second=1" })
	class AnonymousLegacyOrders extends Slice {

		@Test
		void anAnonymousIdempotencyKeyDoesNotNameTheOrder() {
			String victims = legacyOrderId(tokens.token("user-1", "orders:write"), "key-1");
			String first = legacyOrderId(null, "key-1");
			String again = legacyOrderId(null, "key-1");
			assertThat(first).isNotEqualTo(victims).isNotEqualTo(again);
			assertThat(legacyOrderId(tokens.token("user-1", "orders:write"), "key-1")).isEqualTo(victims);
		}

		@Test
		void anonymousOrdersInASendersNameDoNotUseUpTheSendersOwnLimit() {
			String body = "{\"medicationId\": \"med-1\", \"sender_userId\": \"user-limited\"}";
			for (int i = 0; i < 3; i++) {
				post("/queue/neworder", body, null).expectStatus().isOk();
			}
			assertProblem(post("/queue/neworder", body, null), 429, "rate-limited");
			post("/queue/neworder", body, tokens.token("user-limited", "orders:write")).expectStatus().isOk();
		}

		private String legacyOrderId(String token, String idempotencyKey) {
			return this.client.post()
				.uri("/queue/neworder")
				.contentType(MediaType.APPLICATION_JSON)
				.headers((headers) -> {
					headers.set("Idempotency-Key", idempotencyKey);
					if (token != null) {
						headers.setBearerAuth(token);
					}
				})
				.bodyValue(BODY)
				.exchange()
				.expectStatus()
				.isOk()
				.expectBody(LegacyAccepted.class)
				.returnResult()
				.getResponseBody()
				.orderId()
				.toString();
		}

		@Test
		void theLegacyRouteServesClientsWithoutTokensWhileOrdersStillNeedsOne() {
			post("/queue/neworder", BODY, null).expectStatus().isOk();
			assertProblem(post("/orders", BODY, null), 401, "token-required");
		}

		@Test
		void aTokenGivenOnTheLegacyRouteIsStillChecked() {
			assertProblem(post("/queue/neworder", BODY, "not-a-token"), 401, "invalid-token");
			assertProblem(post("/queue/neworder", BODY, tokens.token("user-2", "orders:write")), 403,
					"sender-mismatch");
		}

	}

	@Nested
	@WebFluxTest(properties = "orders.security.enabled=false")
	@ExtendWith(OutputCaptureExtension.class)
	class SecurityOff extends Slice {

		@Test
		void everyRouteIsOpenAndTheServiceSaidSoLoudly(CapturedOutput output) {
			post("/orders", BODY, null).expectStatus().isAccepted();
			post("/queue/neworder", BODY, null).expectStatus().isOk();
			assertThat(output).contains("SECURITY IS OFF");
		}

	}

}
