package dev.orderpipeline.source.http;

import java.util.UUID;

import dev.orderpipeline.contracts.OrderLifecycle;
import dev.orderpipeline.contracts.OrderStatus;
import dev.orderpipeline.contracts.StatusChangeRequested;
import dev.orderpipeline.security.OrderSecurityAutoConfiguration;
import dev.orderpipeline.source.OrderSourceConfiguration;
import dev.orderpipeline.source.intake.OrderMetrics;
import dev.orderpipeline.source.intake.SenderRateLimiter;
import dev.orderpipeline.source.intake.StatusCommands;
import dev.orderpipeline.source.publishing.OrderPublisher;
import dev.orderpipeline.source.publishing.PublishFailedException;
import dev.orderpipeline.testsupport.TestTokens;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.mockito.ArgumentCaptor;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.webflux.test.autoconfigure.WebFluxTest;
import org.springframework.context.annotation.ComponentScan;
import org.springframework.context.annotation.FilterType;
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
import static org.mockito.Mockito.atLeastOnce;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;

/**
 * {@code POST /order-commands/{id}/status}: what order-source checks of a status change
 * before it publishes it (it cannot know the order), and what it publishes.
 */
// The order route's filter serves OrderController's route, which this slice has not.
@WebFluxTest(controllers = StatusCommandController.class, properties = "orders.source.rate-limit.enabled=false",
		excludeFilters = @ComponentScan.Filter(type = FilterType.ASSIGNABLE_TYPE, classes = SingleOrderRoute.class))
@Import({ OrderRequestReader.class, JsonBodies.class, OrderSourceConfiguration.class, OrderMetrics.class,
		SimpleMeterRegistry.class, SourceSecurityConfiguration.class, SenderRateLimiter.class, StatusCommands.class })
@ImportAutoConfiguration(OrderSecurityAutoConfiguration.class)
class StatusCommandControllerTests {

	private static final UUID ORDER = UUID.fromString("3f0c9a4e-8d0b-4f7e-9a55-1c6d2b7e4a10");

	@Autowired
	private WebTestClient server;

	@MockitoBean
	private OrderPublisher publisher;

	@DynamicPropertySource
	static void tokens(DynamicPropertyRegistry registry) {
		TestTokens.shared().register(registry);
	}

	@BeforeEach
	void brokerAccepts() {
		given(this.publisher.publish(any(StatusChangeRequested.class))).willReturn(Mono.empty());
	}

	@Test
	void aPharmacistsApprovalIsPublishedOnTheVersionItNamesAndAnswered202WithWhereToFollowIt() {
		change(pharmacist(), ORDER, "\"3\"", "{\"status\": \"APPROVED\", \"reason\": \"prescription checked\"}")
			.expectStatus()
			.isAccepted()
			.expectHeader()
			.valueEquals(HttpHeaders.LOCATION, "http://localhost:8001/orders/" + ORDER)
			.expectBody()
			.jsonPath("$.orderId")
			.isEqualTo(ORDER.toString())
			.jsonPath("$.baseVersion")
			.isEqualTo(3)
			.jsonPath("$.status")
			.isEqualTo("APPROVED")
			.jsonPath("$.changeId")
			.value((id) -> assertThat(published().changeId()).hasToString((String) id));
		StatusChangeRequested change = published();
		assertThat(change.orderId()).isEqualTo(ORDER);
		assertThat(change.status()).isEqualTo(OrderStatus.APPROVED);
		assertThat(change.baseVersion()).isEqualTo(3);
		assertThat(change.actor()).isEqualTo("pharmacist-1");
		assertThat(change.roles()).containsExactly(OrderLifecycle.PHARMACIST);
		assertThat(change.reason()).isEqualTo("prescription checked");
		assertThat(change.requestedAt()).isNotNull();
	}

	@Test
	void aSenderAsksToCancel() {
		change(as(TestTokens.shared().token("user-1", "orders:write")), ORDER, "\"1\"", "{\"status\": \"CANCELLED\"}")
			.expectStatus()
			.isAccepted();
		assertThat(published().roles()).isEmpty();
		assertThat(published().actor()).isEqualTo("user-1");
	}

	@ParameterizedTest
	@ValueSource(strings = { "APPROVED", "REJECTED", "DISPATCHED", "DELIVERED" })
	void aSenderAskingForAPharmacistsChangeIsForbiddenAndNothingIsPublished(String status) {
		change(as(TestTokens.shared().token("user-1", "orders:write")), ORDER, "\"1\"",
				"{\"status\": \"" + status + "\"}")
			.expectStatus()
			.isForbidden()
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.errors[0].field")
			.isEqualTo("status");
		verify(this.publisher, never()).publish(any(StatusChangeRequested.class));
	}

	@Test
	void withoutIfMatchTheAnswerIs428NamingIt() {
		change(pharmacist(), ORDER, null, "{\"status\": \"APPROVED\"}").expectStatus()
			.isEqualTo(428)
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.errors[0].field")
			.isEqualTo(HttpHeaders.IF_MATCH);
		verify(this.publisher, never()).publish(any(StatusChangeRequested.class));
	}

	@ParameterizedTest
	@ValueSource(strings = { "*", "W/\"1\"", "\"0\"", "\"one\"", "1", "\"1\", \"2\"", "\"99999999999\"" })
	void anIfMatchThatNamesNoOneVersionIs400NamingIt(String ifMatch) {
		change(pharmacist(), ORDER, ifMatch, "{\"status\": \"APPROVED\"}").expectStatus()
			.isBadRequest()
			.expectBody()
			.jsonPath("$.errors[0].field")
			.isEqualTo(HttpHeaders.IF_MATCH);
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|',
			value = { "{\"status\": \"PENDING\"}|status", "{\"status\": \"SHIPPED\"}|status", "{}|status",
					"{\"status\": \"APPROVED\", \"note\": 1}|note", "{\"status\": \"APPROVED\", \"reason\": 7}|reason",
					"{\"status\": \"APPROVED\", \"reason\": \"\u202Eevil\"}|reason", "[]|body" })
	void aBadBodyIs400NamingTheField(String body, String field) {
		change(pharmacist(), ORDER, "\"1\"", body).expectStatus()
			.isBadRequest()
			.expectBody()
			.jsonPath("$.errors[0].field")
			.isEqualTo(field);
	}

	@Test
	void aReasonLongerThan500CharactersIs400NamingIt() {
		change(pharmacist(), ORDER, "\"1\"", "{\"status\": \"REJECTED\", \"reason\": \"" + "r".repeat(501) + "\"}")
			.expectStatus()
			.isBadRequest()
			.expectBody()
			.jsonPath("$.errors[0].field")
			.isEqualTo("reason");
	}

	@Test
	void anIdThatIsNotAUuidIs400NamingIt() {
		change(pharmacist(), "not-an-id", "\"1\"", "{\"status\": \"APPROVED\"}").expectStatus()
			.isBadRequest()
			.expectBody()
			.jsonPath("$.errors[0].field")
			.isEqualTo("id");
	}

	@Test
	void theSameIdempotencyKeyNamesTheSameChangeOfTheSameOrderOnly() {
		UUID first = changeWithKey("key-1", ORDER);
		UUID again = changeWithKey("key-1", ORDER);
		UUID otherOrder = changeWithKey("key-1", UUID.randomUUID());
		assertThat(again).isEqualTo(first);
		assertThat(otherOrder).isNotEqualTo(first);
		verify(this.publisher, times(3)).publish(any(StatusChangeRequested.class));
	}

	@Test
	void answers401WithoutATokenAnd403WithOnlyTheReadScope() {
		change(this.server, ORDER, "\"1\"", "{\"status\": \"CANCELLED\"}").expectStatus().isUnauthorized();
		change(as(TestTokens.shared().token("user-1", "orders:read")), ORDER, "\"1\"", "{\"status\": \"CANCELLED\"}")
			.expectStatus()
			.isForbidden();
		verify(this.publisher, never()).publish(any(StatusChangeRequested.class));
	}

	@Test
	void answers503WhenTheBrokerDidNotAcceptTheChange() {
		given(this.publisher.publish(any(StatusChangeRequested.class)))
			.willReturn(Mono.error(new PublishFailedException(ORDER, PublishFailedException.Reason.BROKER_UNAVAILABLE,
					"The broker could not be reached", null)));
		change(pharmacist(), ORDER, "\"1\"", "{\"status\": \"APPROVED\"}").expectStatus()
			.isEqualTo(503)
			.expectHeader()
			.exists(HttpHeaders.RETRY_AFTER);
	}

	private static WebTestClient.ResponseSpec change(WebTestClient client, Object order, String ifMatch, String body) {
		WebTestClient.RequestBodySpec request = client.post().uri("/order-commands/{id}/status", order);
		if (ifMatch != null) {
			request.header(HttpHeaders.IF_MATCH, ifMatch);
		}
		return request.contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange();
	}

	private UUID changeWithKey(String key, UUID order) {
		ArgumentCaptor<StatusChangeRequested> change = ArgumentCaptor.forClass(StatusChangeRequested.class);
		pharmacist().post()
			.uri("/order-commands/{id}/status", order)
			.header(HttpHeaders.IF_MATCH, "\"1\"")
			.header("Idempotency-Key", key)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"status\": \"APPROVED\"}")
			.exchange()
			.expectStatus()
			.isAccepted();
		verify(this.publisher, atLeastOnce()).publish(change.capture());
		return change.getValue().changeId();
	}

	private StatusChangeRequested published() {
		ArgumentCaptor<StatusChangeRequested> change = ArgumentCaptor.forClass(StatusChangeRequested.class);
		verify(this.publisher).publish(change.capture());
		return change.getValue();
	}

	private WebTestClient pharmacist() {
		return as(TestTokens.shared().claims("pharmacist-1").roles("pharmacist").sign());
	}

	private WebTestClient as(String token) {
		return this.server.mutate().defaultHeaders((headers) -> headers.setBearerAuth(token)).build();
	}

}
