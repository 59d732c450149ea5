package dev.orderpipeline.source.http;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import dev.orderpipeline.contracts.OrderChannel;
import dev.orderpipeline.contracts.OrderPlaced;
import dev.orderpipeline.contracts.OrderStatus;
import dev.orderpipeline.security.OrderSecurityAutoConfiguration;
import dev.orderpipeline.source.OrderSourceConfiguration;
import dev.orderpipeline.source.intake.OrderIntake;
import dev.orderpipeline.source.intake.OrderMetrics;
import dev.orderpipeline.source.intake.SenderRateLimiter;
import dev.orderpipeline.source.publishing.OrderPublisher;
import dev.orderpipeline.source.publishing.PublishFailedException;
import dev.orderpipeline.testsupport.TestTokens;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mockito.ArgumentCaptor;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
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
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;

@WebFluxTest(controllers = OrderController.class, properties = "orders.source.rate-limit.enabled=false")
@Import({ OrderRequestReader.class, JsonBodies.class, OrderSourceConfiguration.class, OrderMetrics.class,
		SimpleMeterRegistry.class, SourceSecurityConfiguration.class, SenderRateLimiter.class, OrderIntake.class })
@ImportAutoConfiguration(OrderSecurityAutoConfiguration.class)
class OrderControllerTests {

	@Autowired
	private WebTestClient server;

	private WebTestClient client;

	@MockitoBean
	private OrderPublisher publisher;

	@Autowired
	private MeterRegistry meters;

	/** Every counter's count before the test: the meters outlive each test. */
	private Map<Meter.Id, Double> countsBefore;

	@DynamicPropertySource
	static void tokens(DynamicPropertyRegistry registry) {
		TestTokens.shared().register(registry);
	}

	@BeforeEach
	void brokerConfirms() {
		this.client = as("u");
		this.countsBefore = this.meters.getMeters()
			.stream()
			.filter(Counter.class::isInstance)
			.collect(Collectors.toMap(Meter::getId, (meter) -> ((Counter) meter).count()));
		given(this.publisher.publish(any(OrderPlaced.class))).willReturn(Mono.empty());
	}

	@Test
	void placesAnOrderAndAnswers202WithItsLocationOnTheReadApi() {
		this.client.post()
			.uri("/orders")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"medicationId\": \"med-1\", \"sender_userId\": \"u\", \"status\": [\"PENDING\"]}")
			.exchange()
			.expectStatus()
			.isAccepted()
			.expectHeader()
			.valueMatches(HttpHeaders.LOCATION, "http://localhost:8001/orders/[0-9a-f-]{36}")
			.expectBody()
			.jsonPath("$.orderId")
			.value((id) -> assertThat(published().orderId()).hasToString((String) id));
		OrderPlaced order = published();
		assertThat(order.medicationId()).isEqualTo("med-1");
		assertThat(order.senderUserId()).isEqualTo("u");
		assertThat(order.status()).containsExactly(OrderStatus.PENDING);
		assertThat(order.channel()).isEqualTo(OrderChannel.API);
		assertThat(order.createdAt()).isNotNull();
		assertThat(counted("orders.accepted", "channel", "API")).isOne();
	}

	/**
	 * Every order starts PENDING: the API route takes no other status, while the legacy
	 * route keeps its list as the legacy field it is.
	 */
	@ParameterizedTest
	@CsvSource(delimiter = '|', value = { "[\"APPROVED\"]", "[\"PENDING\", \"APPROVED\"]", "[\"DELIVERED\"]" })
	void theApiRouteRefusesAnyStatusButPendingWhileTheLegacyRouteKeepsItsList(String status) {
		String body = "{\"medicationId\": \"m\", \"sender_userId\": \"u\", \"status\": " + status + "}";
		this.client.post()
			.uri("/orders")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(body)
			.exchange()
			.expectStatus()
			.isBadRequest()
			.expectBody()
			.jsonPath("$.errors[0].field")
			.isEqualTo("status");
		verify(this.publisher, never()).publish(any(OrderPlaced.class));
		this.client.post()
			.uri("/queue/neworder")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(body)
			.exchange()
			.expectStatus()
			.isOk();
		assertThat(published().status()).isNotEqualTo(List.of(OrderStatus.PENDING));
	}

	@Test
	void legacyRouteAnswersTheLegacyMessageByteForBytePlusTheOrderId() {
		byte[] body = this.client.post()
			.uri("/queue/neworder")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"medicationId\": \"med-1\", \"sender_userId\": \"u\", \"status\": [\"PENDING\"]}")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.returnResult()
			.getResponseBody();
		UUID id = published().orderId();
		assertThat(new String(body, StandardCharsets.UTF_8))
			.isEqualTo("{\"message\":\"Order queued succesfully\",\"orderId\":\"" + id + "\"}");
		assertThat(published().channel()).isEqualTo(OrderChannel.LEGACY_HTTP);
	}

	@Test
	void legacyRouteDefaultsTheStatusReadsNumbersAsTextAndIgnoresUnknownFields() {
		as("7").post()
			.uri("/queue/neworder")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"medicationId\": 42, \"sender_userId\": 7, \"note\": \"kept by nobody\"}")
			.exchange()
			.expectStatus()
			.isOk();
		OrderPlaced order = published();
		assertThat(order.medicationId()).isEqualTo("42");
		assertThat(order.senderUserId()).isEqualTo("7");
		assertThat(order.status()).containsExactly(OrderStatus.PENDING);
	}

	@Test
	void legacyRouteAcceptsABodyWithoutContentType() {
		this.client.post()
			.uri("/queue/neworder")
			.bodyValue("{\"medicationId\": \"m\", \"sender_userId\": \"u\"}".getBytes(StandardCharsets.UTF_8))
			.exchange()
			.expectStatus()
			.isOk();
	}

	@Test
	void aRetryWithTheSameIdempotencyKeyNamesTheSameOrder() {
		String first = placeWithKey("key-1", "u");
		String again = placeWithKey("key-1", "u");
		String otherSender = placeWithKey("key-1", "user-2");
		String otherKey = placeWithKey("key-2", "u");
		assertThat(again).isEqualTo(first);
		assertThat(otherSender).isNotEqualTo(first);
		assertThat(otherKey).isNotEqualTo(first);
	}

	@Test
	void withoutAnIdempotencyKeyEveryOrderIsNew() {
		this.client.post().uri("/orders").contentType(MediaType.APPLICATION_JSON).bodyValue(body()).exchange();
		this.client.post().uri("/orders").contentType(MediaType.APPLICATION_JSON).bodyValue(body()).exchange();
		ArgumentCaptor<OrderPlaced> orders = ArgumentCaptor.forClass(OrderPlaced.class);
		verify(this.publisher, times(2)).publish(orders.capture());
		assertThat(orders.getAllValues().get(0).orderId()).isNotEqualTo(orders.getAllValues().get(1).orderId());
	}

	@Test
	void rejectsAnIdempotencyKeyThatIsNotPrintableAscii() {
		this.client.post()
			.uri("/orders")
			.contentType(MediaType.APPLICATION_JSON)
			.header("Idempotency-Key", "x".repeat(256))
			.bodyValue(body())
			.exchange()
			.expectStatus()
			.isBadRequest()
			.expectBody()
			.jsonPath("$.errors[0].field")
			.isEqualTo("Idempotency-Key");
		verify(this.publisher, never()).publish(any(OrderPlaced.class));
	}

	@ParameterizedTest(name = "{0} -> {1}")
	@CsvSource(delimiter = '|', textBlock = """
			{"sender_userId": "u"}                                              | medicationId
			{"medicationId": null, "sender_userId": "u"}                        | medicationId
			{"medicationId": "   ", "sender_userId": "u"}                       | medicationId
			{"medicationId": "m", "sender_userId": ""}                          | sender_userId
			{"medicationId": true, "sender_userId": "u"}                        | medicationId
			{"medicationId": 4.5, "sender_userId": "u"}                         | medicationId
			{"medicationId": {"id": 1}, "sender_userId": "u"}                   | medicationId
			{"medicationId": "m", "sender_userId": ["u"]}                       | sender_userId
			{"medicationId": "m\\u0000", "sender_userId": "u"}                  | medicationId
			{"medicationId": "m", "sender_userId": "u\\nv"}                     | sender_userId
			{"medicationId": "m", "sender_userId": "u", "status": "PENDING"}    | status
			{"medicationId": "m", "sender_userId": "u", "status": []}           | status
			{"medicationId": "m", "sender_userId": "u", "status": ["SHIPPED"]}  | status[0]
			{"medicationId": "m", "sender_userId": "u", "status": [1]}          | status[0]
			{"medicationId": "m", "sender_userId": "u", "status": ["pending"]}  | status[0]
			{"medicationId": "m", "sender_userId": "u", "senderUserId": "u"}    | senderUserId
			{"medicationId": "m", "medicationId": "n", "sender_userId": "u"}    | body
			{"medicationId": "m", "sender_userId": "u"                          | body
			["m", "u"]                                                          | body
			"m"                                                                 | body
			{"medicationId": "m", "sender_userId": "u"} {}                      | body
			""")
	void answers400NamingTheFieldAtFault(String body, String field) {
		this.client.post()
			.uri("/orders")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(body)
			.exchange()
			.expectStatus()
			.isBadRequest()
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.title")
			.isEqualTo("Invalid order")
			.jsonPath("$.errors[*].field")
			.value((fields) -> assertThat(fields).asInstanceOf(InstanceOfAssertFactories.LIST).contains(field));
		verify(this.publisher, never()).publish(any(OrderPlaced.class));
		assertThat(counted("orders.rejected", "reason", "INVALID")).isOne();
		assertThat(counted("orders.accepted")).isZero();
	}

	@Test
	void reportsEveryFieldAtFaultAtOnce() {
		this.client.post()
			.uri("/orders")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"medicationId\": \"\", \"status\": [\"LOST\"]}")
			.exchange()
			.expectStatus()
			.isBadRequest()
			.expectBody()
			.jsonPath("$.errors[*].field")
			.isEqualTo(List.of("medicationId", "sender_userId", "status[0]"));
	}

	@Test
	void rejectsIdentifiersLongerThan128Characters() {
		this.client.post()
			.uri("/orders")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"medicationId\": \"" + "m".repeat(129) + "\", \"sender_userId\": \"u\"}")
			.exchange()
			.expectStatus()
			.isBadRequest()
			.expectBody()
			.jsonPath("$.errors[0].field")
			.isEqualTo("medicationId")
			.jsonPath("$.errors[0].message")
			.isEqualTo("must be at most 128 characters");
	}

	@Test
	void rejectsAnEmptyBody() {
		this.client.post()
			.uri("/orders")
			.contentType(MediaType.APPLICATION_JSON)
			.exchange()
			.expectStatus()
			.isBadRequest()
			.expectBody()
			.jsonPath("$.errors[0].field")
			.isEqualTo("body");
	}

	@Test
	void rejectsDeeplyNestedJsonWithoutAServerError() {
		String deep = "[".repeat(5000) + "]".repeat(5000);
		this.client.post()
			.uri("/orders")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"medicationId\": " + deep + ", \"sender_userId\": \"u\"}")
			.exchange()
			.expectStatus()
			.isBadRequest()
			.expectBody()
			.jsonPath("$.errors[0].field")
			.isEqualTo("body");
	}

	@Test
	void answers415ForABodyThatIsNotJson() {
		this.client.post()
			.uri("/orders")
			.contentType(MediaType.TEXT_PLAIN)
			.bodyValue(body())
			.exchange()
			.expectStatus()
			.isEqualTo(415)
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.errors[0].field")
			.isEqualTo("Content-Type");
		verify(this.publisher, never()).publish(any(OrderPlaced.class));
	}

	@Test
	void answers413ForABodyOverTheLimit() {
		String padding = "x".repeat(17 * 1024);
		this.client.post()
			.uri("/orders")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"medicationId\": \"m\", \"sender_userId\": \"u\", \"pad\": \"" + padding + "\"}")
			.exchange()
			.expectStatus()
			.isEqualTo(413)
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.errors[0].field")
			.isEqualTo("body");
		verify(this.publisher, never()).publish(any(OrderPlaced.class));
	}

	@Test
	void answers503WithRetryAfterAndTheOrderIdWhenTheBrokerDidNotConfirm() {
		UUID orderId = UUID.randomUUID();
		given(this.publisher.publish(any(OrderPlaced.class))).willReturn(Mono.error(new PublishFailedException(orderId,
				PublishFailedException.Reason.CONFIRM_TIMEOUT, "The broker did not confirm the order in time", null)));
		this.client.post()
			.uri("/orders")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(body())
			.exchange()
			.expectStatus()
			.isEqualTo(503)
			.expectHeader()
			.valueEquals(HttpHeaders.RETRY_AFTER, "5")
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.orderId")
			.isEqualTo(orderId.toString())
			.jsonPath("$.reason")
			.isEqualTo("CONFIRM_TIMEOUT");
		assertThat(counted("orders.rejected", "reason", "CONFIRM_TIMEOUT")).isOne();
	}

	@Test
	void answers500ProblemWithoutInternalDetailForAnUnexpectedFailure() {
		given(this.publisher.publish(any(OrderPlaced.class)))
			.willReturn(Mono.error(new IllegalStateException("secret internals")));
		this.client.post()
			.uri("/queue/neworder")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(body())
			.exchange()
			.expectStatus()
			.isEqualTo(500)
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody(String.class)
			.value((text) -> assertThat(text).doesNotContain("secret internals").doesNotContain("Exception"));
	}

	@Test
	void answersProblemJsonForAnUnknownRouteAndAWrongMethod() {
		this.client.get()
			.uri("/orders")
			.exchange()
			.expectStatus()
			.isEqualTo(405)
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON);
		this.client.post()
			.uri("/queue/unknown")
			.exchange()
			.expectStatus()
			.isNotFound()
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON);
	}

	private String placeWithKey(String key, String sender) {
		return new String(as(sender).post()
			.uri("/orders")
			.contentType(MediaType.APPLICATION_JSON)
			.header("Idempotency-Key", key)
			.bodyValue("{\"medicationId\": \"m\", \"sender_userId\": \"" + sender + "\"}")
			.exchange()
			.expectStatus()
			.isAccepted()
			.expectBody()
			.returnResult()
			.getResponseBody(), StandardCharsets.UTF_8);
	}

	private OrderPlaced published() {
		ArgumentCaptor<OrderPlaced> order = ArgumentCaptor.forClass(OrderPlaced.class);
		verify(this.publisher).publish(order.capture());
		return order.getValue();
	}

	private static String body() {
		return "{\"medicationId\": \"m\", \"sender_userId\": \"u\"}";
	}

	private WebTestClient as(String subject) {
		String token = TestTokens.shared().token(subject, "orders:write");
		return this.server.mutate().defaultHeaders((headers) -> headers.setBearerAuth(token)).build();
	}

	private double counted(String name, String... tags) {
		return this.meters.find(name)
			.tags(tags)
			.counters()
			.stream()
			.mapToDouble((counter) -> counter.count() - this.countsBefore.getOrDefault(counter.getId(), 0.0))
			.sum();
	}

}
