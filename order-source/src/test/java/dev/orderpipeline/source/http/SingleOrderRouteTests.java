package dev.orderpipeline.source.http;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.orderpipeline.contracts.OrderPlaced;
import dev.orderpipeline.security.OrderSecurityAutoConfiguration;
import dev.orderpipeline.security.RouteSecurity;
import dev.orderpipeline.source.OrderSourceConfiguration;
import dev.orderpipeline.source.intake.OrderIntake;
import dev.orderpipeline.source.intake.OrderMetrics;
import dev.orderpipeline.source.intake.SenderRateLimiter;
import dev.orderpipeline.source.publishing.OrderPublisher;
import dev.orderpipeline.testsupport.TestTokens;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.webflux.test.autoconfigure.WebFluxTest;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.security.web.server.WebFilterChainProxy;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.BDDMockito.given;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;

/**
 * A single order on {@code POST /orders} is served ahead of the security filter chain and
 * the dispatch, under the chain's rules; everything else on the route still goes through
 * both.
 */
@WebFluxTest(controllers = { OrderController.class, OrderStreamController.class },
		properties = "orders.source.rate-limit.enabled=false")
@Import({ OrderRequestReader.class, JsonBodies.class, OrderSourceConfiguration.class, OrderMetrics.class,
		SimpleMeterRegistry.class, SourceSecurityConfiguration.class, SenderRateLimiter.class, OrderIntake.class,
		SingleOrderRouteTests.BehindTheChain.class })
@ImportAutoConfiguration(OrderSecurityAutoConfiguration.class)
class SingleOrderRouteTests {

	private static final String ORDER = "{\"medicationId\": \"med-1\", \"sender_userId\": \"u\"}";

	/** Headers Spring Security's chain writes on every answer. */
	private static final List<String> SECURITY_HEADERS = List.of(HttpHeaders.CACHE_CONTROL, HttpHeaders.PRAGMA,
			HttpHeaders.EXPIRES, "X-Content-Type-Options", "X-Frame-Options", "X-XSS-Protection", "Referrer-Policy");

	@Autowired
	private WebTestClient client;

	@Autowired
	private BehindTheChain behindTheChain;

	@Autowired
	private ApplicationContext context;

	@MockitoBean
	private OrderPublisher publisher;

	@DynamicPropertySource
	static void tokens(DynamicPropertyRegistry registry) {
		TestTokens.shared().register(registry);
	}

	@BeforeEach
	void brokerConfirms() {
		given(this.publisher.publish(any(OrderPlaced.class))).willReturn(Mono.empty());
		this.behindTheChain.seen.clear();
	}

	@Test
	void runsAheadOfTheSecurityFilterChain() {
		List<WebFilter> filters = this.context.getBeanProvider(WebFilter.class).orderedStream().toList();
		assertThat(filters).extracting(Object::getClass)
			.containsSubsequence(SingleOrderRoute.class, WebFilterChainProxy.class);
	}

	@Test
	void aSingleOrderIsServedWithoutTheChainOrTheDispatch() {
		post("/orders", MediaType.APPLICATION_JSON, ORDER, "orders:write").expectStatus().isAccepted();
		assertThat(this.behindTheChain.seen).isEmpty();
		// What does go through the chain is seen behind it.
		post("/queue/neworder", MediaType.APPLICATION_JSON, ORDER, "orders:write").expectStatus().isOk();
		assertThat(this.behindTheChain.seen).containsExactly("/queue/neworder");
	}

	@Test
	void streamsAndAnswersNotInJsonAreLeftToTheChainAndTheDispatch() {
		post("/orders", MediaType.APPLICATION_NDJSON, ORDER + "\n", "orders:write").expectStatus().isOk();
		// The route produces application/json, which a client taking only problem+json
		// (or text) does not take: 406, and nothing placed.
		for (MediaType accepted : new MediaType[] { MediaType.TEXT_PLAIN, MediaType.APPLICATION_PROBLEM_JSON }) {
			this.client.post()
				.uri("/orders")
				.headers((headers) -> headers.setBearerAuth(TestTokens.shared().token("u", "orders:write")))
				.contentType(MediaType.APPLICATION_JSON)
				.accept(accepted)
				.bodyValue(ORDER)
				.exchange()
				.expectStatus()
				.isEqualTo(406);
		}
		assertThat(this.behindTheChain.seen).containsExactly("/orders", "/orders", "/orders");
		verify(this.publisher, times(1)).publish(any(OrderPlaced.class));
	}

	@Test
	void answersWithTheHeadersTheChainWrites() {
		assertThat(headers(post("/orders", MediaType.APPLICATION_JSON, ORDER, "orders:write")))
			.isEqualTo(headers(post("/queue/neworder", MediaType.APPLICATION_JSON, ORDER, "orders:write")))
			.containsKeys(SECURITY_HEADERS.toArray(String[]::new));
		// Refused without a token, and with a token without the scope.
		assertThat(headers(post("/orders", MediaType.APPLICATION_JSON, ORDER, null)))
			.isEqualTo(headers(post("/queue/neworder", MediaType.APPLICATION_JSON, ORDER, null)));
		assertThat(headers(post("/orders", MediaType.APPLICATION_JSON, ORDER, "orders:read")))
			.isEqualTo(headers(post("/queue/neworder", MediaType.APPLICATION_JSON, ORDER, "orders:read")));
	}

	@Test
	void refusesAsTheChainDoes() {
		for (String scope : new String[] { null, "orders:read" }) {
			EntityExchangeResult<String> fast = result(post("/orders", MediaType.APPLICATION_JSON, ORDER, scope));
			EntityExchangeResult<String> chain = result(
					post("/queue/neworder", MediaType.APPLICATION_JSON, ORDER, scope));
			assertThat(fast.getStatus()).isEqualTo(chain.getStatus());
			assertThat(fast.getResponseHeaders().get(HttpHeaders.WWW_AUTHENTICATE))
				.isEqualTo(chain.getResponseHeaders().get(HttpHeaders.WWW_AUTHENTICATE));
			assertThat(fast.getResponseBody()).isEqualTo(chain.getResponseBody().replace("/queue/neworder", "/orders"));
		}
	}

	@Test
	void aProblemNamesTheRouteAsItsInstance() {
		post("/orders", MediaType.APPLICATION_JSON, "{\"medicationId\": \"m\"}", "orders:write").expectStatus()
			.isBadRequest()
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.instance")
			.isEqualTo("/orders")
			.jsonPath("$.errors[0].field")
			.isEqualTo("sender_userId");
	}

	private WebTestClient.ResponseSpec post(String route, MediaType type, String body, String scope) {
		return this.client.post().uri(route).contentType(type).headers((headers) -> {
			if (scope != null) {
				headers.setBearerAuth(TestTokens.shared().token("u", scope));
			}
		}).bodyValue(body).exchange();
	}

	private static EntityExchangeResult<String> result(WebTestClient.ResponseSpec response) {
		return response.expectBody(String.class).returnResult();
	}

	/**
	 * Every header of an answer but those that differ from one answer to the next.
	 */
	private static Map<String, List<String>> headers(WebTestClient.ResponseSpec response) {
		HttpHeaders headers = result(response).getResponseHeaders();
		Map<String, List<String>> kept = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
		headers.forEach((name, values) -> kept.put(name, values));
		List.of(HttpHeaders.DATE, HttpHeaders.CONTENT_LENGTH, HttpHeaders.LOCATION).forEach(kept::remove);
		return kept;
	}

	/**
	 * Records the requests that reach past the security filter chain.
	 */
	@TestConfiguration(proxyBeanMethods = false)
	static class BehindTheChain {

		final List<String> seen = new CopyOnWriteArrayList<>();

		@Bean
		WebFilter behindTheSecurityChain() {
			return new Recorder(this.seen);
		}

	}

	private record Recorder(List<String> seen) implements WebFilter, Ordered {

		@Override
		public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
			this.seen.add(exchange.getRequest().getPath().value());
			return chain.filter(exchange);
		}

		@Override
		public int getOrder() {
			// Just behind Spring Security's filter chain (-100).
			return RouteSecurity.ORDER + 2;
		}

	}

}
