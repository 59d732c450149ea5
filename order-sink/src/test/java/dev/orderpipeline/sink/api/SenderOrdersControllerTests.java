package dev.orderpipeline.sink.api;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import dev.orderpipeline.contracts.OrderChannel;
import dev.orderpipeline.contracts.OrderStatus;
import dev.orderpipeline.security.OrderSecurityAutoConfiguration;
import dev.orderpipeline.sink.store.OrderPages;
import dev.orderpipeline.sink.store.OrderQuery;
import dev.orderpipeline.sink.store.OrderQuery.Position;
import dev.orderpipeline.sink.store.StoredOrder;
import dev.orderpipeline.testsupport.TestTokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.mockito.ArgumentCaptor;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.webflux.test.autoconfigure.WebFluxTest;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.BDDMockito.given;
import static org.mockito.BDDMockito.then;
import static org.mockito.Mockito.atLeastOnce;
import static org.mockito.Mockito.never;

@WebFluxTest(SenderOrdersController.class)
@Import({ SinkSecurityConfiguration.class, Readers.class })
@ImportAutoConfiguration(OrderSecurityAutoConfiguration.class)
class SenderOrdersControllerTests {

	private static final Instant CREATED = Instant.parse("2026-12-01T08:00:00.123456Z");

	@Autowired
	private WebTestClient server;

	@MockitoBean
	private OrderPages pages;

	@DynamicPropertySource
	static void tokens(DynamicPropertyRegistry registry) {
		TestTokens.shared().register(registry);
	}

	@Test
	void aSenderListsItsOwnOrdersWithTheirChannelAndTheNextCursor() {
		StoredOrder legacy = order("user-1", OrderChannel.LEGACY_QUEUE);
		Position next = Position.of(legacy);
		given(this.pages.find(any())).willReturn(Mono.just(new OrderPages.Page(List.of(legacy), next)));
		AtomicReference<String> cursor = new AtomicReference<>();
		reader("user-1").get()
			.uri("/senders/user-1/orders?limit=1&status=PENDING")
			.exchange()
			.expectStatus()
			.isOk()
			.expectHeader()
			.value(HttpHeaders.LINK,
					(link) -> assertThat(link).startsWith("</senders/user-1/orders?")
						.contains("limit=1", "status=PENDING", "cursor=")
						.endsWith(">; rel=\"next\""))
			.expectBody()
			.jsonPath("$.orders[0].orderId")
			.isEqualTo(legacy.orderId().toString())
			.jsonPath("$.orders[0].sender_userId")
			.isEqualTo("user-1")
			.jsonPath("$.orders[0].channel")
			.isEqualTo("LEGACY_QUEUE")
			.jsonPath("$.next")
			.value(String.class, cursor::set);
		assertThat(cursor.get()).isNotBlank();
		assertThat(query()).isEqualTo(new OrderQuery("user-1", OrderStatus.PENDING, null, null, null, 1));

		reader("user-1").get()
			.uri("/senders/user-1/orders?cursor={cursor}", cursor.get())
			.exchange()
			.expectStatus()
			.isOk();
		assertThat(query().after()).isEqualTo(next);
	}

	@Test
	void theLastPageHasNoNextCursorNorLink() {
		given(this.pages.find(any()))
			.willReturn(Mono.just(new OrderPages.Page(List.of(order("user-1", OrderChannel.API)), null)));
		reader("user-1").get()
			.uri("/senders/user-1/orders")
			.exchange()
			.expectStatus()
			.isOk()
			.expectHeader()
			.doesNotExist(HttpHeaders.LINK)
			.expectBody(SenderOrdersController.OrderList.class)
			.value((list) -> assertThat(list.next()).isNull());
		assertThat(query().limit()).isEqualTo(SenderOrdersController.DEFAULT_LIMIT);
	}

	@Test
	void filtersByChannelAndCreationTime() {
		given(this.pages.find(any())).willReturn(Mono.just(new OrderPages.Page(List.of(), null)));
		reader("user-1").get()
			.uri("/senders/user-1/orders?channel=API&since=2026-12-01T00:00:00Z&limit=500")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.orders")
			.isEmpty();
		assertThat(query()).isEqualTo(new OrderQuery("user-1", null, OrderChannel.API,
				Instant.parse("2026-12-01T00:00:00Z"), null, SenderOrdersController.MAX_LIMIT));
	}

	@ParameterizedTest
	@ValueSource(strings = { "pharmacist", "admin" })
	void pharmacistsAndAdministratorsListAnySendersOrders(String role) {
		given(this.pages.find(any())).willReturn(Mono.just(new OrderPages.Page(List.of(), null)));
		as(TestTokens.shared().claims("staff-1").roles(role).sign()).get()
			.uri("/senders/user-2/orders")
			.exchange()
			.expectStatus()
			.isOk();
		assertThat(query().sender()).isEqualTo("user-2");
	}

	@Test
	void aSenderAskingForAnotherSendersListIsForbiddenAndNothingIsRead() {
		reader("user-1").get()
			.uri("/senders/user-2/orders")
			.exchange()
			.expectStatus()
			.isForbidden()
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.title")
			.isEqualTo("Another sender's orders");
		then(this.pages).should(never()).find(any());
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|',
			value = { "limit=0|limit", "limit=501|limit", "limit=ten|limit", "status=SHIPPED|status",
					"channel=EMAIL|channel", "since=yesterday|since", "cursor=bm90LWEtY3Vyc29y|cursor",
					"cursor=%25%25|cursor", "sender=user-1|sender", "stauts=PENDING|stauts", "limit=1&limit=2|limit" })
	void answersABadParameterWithAProblemNamingIt(String parameters, String field) {
		reader("user-1").get()
			.uri("/senders/user-1/orders?" + parameters)
			.exchange()
			.expectStatus()
			.isBadRequest()
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.errors[0].field")
			.isEqualTo(field);
		then(this.pages).should(never()).find(any());
	}

	@Test
	void answersASenderTooLongToBeOneWithAProblemNamingIt() {
		String sender = "u".repeat(129);
		as(TestTokens.shared().claims("staff-1").roles("pharmacist").sign()).get()
			.uri("/senders/{sender}/orders", sender)
			.exchange()
			.expectStatus()
			.isBadRequest()
			.expectBody()
			.jsonPath("$.errors[0].field")
			.isEqualTo("sender");
	}

	@Test
	void answers401WithoutATokenAnd403WithoutTheReadScope() {
		this.server.get().uri("/senders/user-1/orders").exchange().expectStatus().isUnauthorized();
		as(TestTokens.shared().token("user-1", "orders:write")).get()
			.uri("/senders/user-1/orders")
			.exchange()
			.expectStatus()
			.isForbidden();
		then(this.pages).should(never()).find(any());
	}

	@ParameterizedTest
	@ValueSource(strings = { "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS" })
	void everyMethodOnTheSendersNeedsTheRightToRead(String method) {
		as(TestTokens.shared().token("user-1", "orders:write")).method(HttpMethod.valueOf(method))
			.uri("/senders/user-1/orders")
			.exchange()
			.expectStatus()
			.isForbidden();
	}

	/**
	 * A sender id holding a slash cannot be named in the path: the firewall refuses an
	 * encoded slash anywhere, with a problem naming the path.
	 */
	@Test
	void aSenderWithASlashInItsIdIsRefusedWithAProblemNamingThePath() {
		reader("ward/7").get()
			.uri("/senders/{sender}/orders", "ward/7")
			.exchange()
			.expectStatus()
			.isBadRequest()
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.errors[0].field")
			.isEqualTo("path");
		then(this.pages).should(never()).find(any());
	}

	private OrderQuery query() {
		ArgumentCaptor<OrderQuery> query = ArgumentCaptor.forClass(OrderQuery.class);
		then(this.pages).should(atLeastOnce()).find(query.capture());
		return query.getValue();
	}

	private static StoredOrder order(String sender, OrderChannel channel) {
		return new StoredOrder(UUID.randomUUID(), "med-1", sender, List.of(OrderStatus.PENDING), channel, CREATED,
				CREATED, CREATED, null, OrderStatus.PENDING, 1);
	}

	private WebTestClient reader(String sender) {
		return as(TestTokens.shared().token(sender, "orders:read"));
	}

	private WebTestClient as(String token) {
		return this.server.mutate().defaultHeaders((headers) -> headers.setBearerAuth(token)).build();
	}

}
