package dev.orderpipeline.sink.api;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.orderpipeline.contracts.OrderChannel;
import dev.orderpipeline.contracts.OrderStatus;
import dev.orderpipeline.security.OrderSecurity;
import dev.orderpipeline.security.OrderSecurityAutoConfiguration;
import dev.orderpipeline.sink.lifecycle.StatusHistory;
import dev.orderpipeline.sink.store.OrderRepository;
import dev.orderpipeline.sink.store.StoredOrder;
import dev.orderpipeline.testsupport.TestTokens;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.support.StaticListableBeanFactory;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.webflux.test.autoconfigure.WebFluxTest;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.mock.http.server.reactive.MockServerHttpResponse;
import org.springframework.security.authentication.TestingAuthenticationToken;
import org.springframework.security.core.context.ReactiveSecurityContextHolder;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.ErrorResponseException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.BDDMockito.given;
import static org.mockito.Mockito.mock;

@WebFluxTest(OrderReadController.class)
@Import({ SinkSecurityConfiguration.class, Readers.class })
@ImportAutoConfiguration(OrderSecurityAutoConfiguration.class)
class OrderReadControllerTests {

	@Autowired
	private WebTestClient server;

	private WebTestClient client;

	@DynamicPropertySource
	static void tokens(DynamicPropertyRegistry registry) {
		TestTokens.shared().register(registry);
	}

	@BeforeEach
	void readerOfOwnOrders() {
		this.client = as(TestTokens.shared().token("user-1", "orders:read"));
	}

	@MockitoBean
	private OrderRepository repository;

	@MockitoBean
	private StatusHistory history;

	@BeforeEach
	void noStatusChanges() {
		given(this.history.of(any())).willReturn(Mono.just(List.of()));
	}

	@Test
	void answersAStoredOrderWithTheLegacyFieldNames() {
		UUID id = UUID.randomUUID();
		Instant created = Instant.parse("2026-11-24T08:00:00.123456Z");
		given(this.repository.findById(id)).willReturn(Mono
			.just(new StoredOrder(id, "med-1", "user-1", List.of(OrderStatus.PENDING), OrderChannel.API, created,
					created, created.plusMillis(40), "4bf92f3577b34da6a3ce929d0e0e4736", OrderStatus.PENDING, 1)));
		this.client.get()
			.uri("/orders/{id}", id)
			.exchange()
			.expectStatus()
			.isOk()
			.expectHeader()
			.valueEquals(HttpHeaders.ETAG, "\"1\"")
			.expectBody()
			.jsonPath("$.orderId")
			.isEqualTo(id.toString())
			.jsonPath("$.sender_userId")
			.isEqualTo("user-1")
			.jsonPath("$.status[0]")
			.isEqualTo("PENDING")
			.jsonPath("$.channel")
			.isEqualTo("API")
			.jsonPath("$.createdAt")
			.isEqualTo("2026-11-24T08:00:00.123456Z")
			.jsonPath("$.traceId")
			.isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736")
			.jsonPath("$.state")
			.isEqualTo("PENDING")
			.jsonPath("$.version")
			.isEqualTo(1)
			.jsonPath("$.history")
			.isEmpty();
	}

	@Test
	void answers404ProblemWhileTheOrderIsNotStored() {
		UUID id = UUID.randomUUID();
		given(this.repository.findById(id)).willReturn(Mono.empty());
		this.client.get()
			.uri("/orders/{id}", id)
			.exchange()
			.expectStatus()
			.isNotFound()
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.title")
			.isEqualTo("Order not found");
	}

	@Test
	void answers400ProblemNamingTheIdWhenItIsNotAUuid() {
		this.client.get()
			.uri("/orders/not-a-uuid")
			.exchange()
			.expectStatus()
			.isBadRequest()
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.errors[0].field")
			.isEqualTo("id");
	}

	@Test
	void answers401ProblemWithoutAToken() {
		this.server.get()
			.uri("/orders/{id}", UUID.randomUUID())
			.exchange()
			.expectStatus()
			.isUnauthorized()
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON);
	}

	@Test
	void answers403ProblemWithoutTheReadScope() {
		as(TestTokens.shared().token("user-1", "orders:write")).get()
			.uri("/orders/{id}", UUID.randomUUID())
			.exchange()
			.expectStatus()
			.isForbidden()
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON);
	}

	@Test
	void answersAnotherSendersOrderExactlyAsAMissingOne() {
		UUID theirs = storedOrderOf("user-2");
		UUID missing = UUID.randomUUID();
		given(this.repository.findById(missing)).willReturn(Mono.empty());
		assertThat(problem(this.client, theirs))
			.isEqualTo(problem(this.client, missing).replace(missing.toString(), theirs.toString()));
	}

	@Test
	void withSecurityOnARequestWithoutAValidatedTokenReadsNothingWhateverItsAuthorities() {
		UUID id = storedOrderOf("user-1");
		StepVerifier
			.create(controller(true).order(id.toString(), new MockServerHttpResponse())
				.contextWrite(ReactiveSecurityContextHolder.withAuthentication(
						new TestingAuthenticationToken("user-1", null, "SCOPE_orders:read", "ROLE_admin"))))
			.expectErrorSatisfies((error) -> assertThat(error).isInstanceOf(ErrorResponseException.class)
				.extracting((problem) -> ((ErrorResponseException) problem).getStatusCode())
				.isEqualTo(HttpStatus.NOT_FOUND))
			.verify();
	}

	@Test
	void withSecurityOffEveryOrderIsRead() {
		UUID id = storedOrderOf("user-2");
		StepVerifier.create(controller(false).order(id.toString(), new MockServerHttpResponse()))
			.assertNext((details) -> assertThat(details.order().senderUserId()).isEqualTo("user-2"))
			.verifyComplete();
	}

	@ParameterizedTest
	@ValueSource(strings = { "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS" })
	void everyMethodOnTheOrdersNeedsTheRightToRead(String method) {
		UUID id = storedOrderOf("user-1");
		as(TestTokens.shared().token("user-1", "orders:write")).method(HttpMethod.valueOf(method))
			.uri("/orders/{id}", id)
			.exchange()
			.expectStatus()
			.isForbidden();
		as(TestTokens.shared().token("user-1", "orders:write")).method(HttpMethod.valueOf(method))
			.uri("/orders")
			.exchange()
			.expectStatus()
			.isForbidden();
	}

	@Test
	void headOfAnotherSendersOrderAnswersAsForAMissingOne() {
		UUID id = storedOrderOf("user-2");
		this.client.head().uri("/orders/{id}", id).exchange().expectStatus().isNotFound();
		this.client.head().uri("/orders/{id}", storedOrderOf("user-1")).exchange().expectStatus().isOk();
	}

	private static String problem(WebTestClient client, UUID id) {
		return new String(client.get()
			.uri("/orders/{id}", id)
			.exchange()
			.expectStatus()
			.isNotFound()
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.returnResult()
			.getResponseBody(), StandardCharsets.UTF_8);
	}

	@ParameterizedTest
	@ValueSource(strings = { "pharmacist", "admin" })
	void pharmacistsAndAdministratorsReadEveryOrder(String role) {
		UUID id = storedOrderOf("user-2");
		as(TestTokens.shared().claims("staff-1").roles(role).sign()).get()
			.uri("/orders/{id}", id)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.sender_userId")
			.isEqualTo("user-2");
	}

	private OrderReadController controller(boolean securityEnabled) {
		OrderSecurity security = mock(OrderSecurity.class);
		given(security.enabled()).willReturn(securityEnabled);
		return new OrderReadController(this.repository, new Readers(
				new StaticListableBeanFactory(Map.of("security", security)).getBeanProvider(OrderSecurity.class)),
				this.history);
	}

	private UUID storedOrderOf(String sender) {
		UUID id = UUID.randomUUID();
		Instant created = Instant.parse("2026-11-24T08:00:00Z");
		given(this.repository.findById(id))
			.willReturn(Mono.just(new StoredOrder(id, "med-1", sender, List.of(OrderStatus.PENDING), OrderChannel.API,
					created, created, created, null, OrderStatus.PENDING, 1)));
		return id;
	}

	private WebTestClient as(String token) {
		return this.server.mutate().defaultHeaders((headers) -> headers.setBearerAuth(token)).build();
	}

}
