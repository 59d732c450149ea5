package dev.orderpipeline.sink.api;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import dev.orderpipeline.contracts.OrderChannel;
import dev.orderpipeline.contracts.OrderStatus;
import dev.orderpipeline.sink.store.OrderRepository;
import dev.orderpipeline.sink.store.StoredOrder;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.webflux.test.autoconfigure.WebFluxTest;
import org.springframework.http.MediaType;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.mockito.BDDMockito.given;

@WebFluxTest(OrderReadController.class)
class OrderReadControllerTests {

	@Autowired
	private WebTestClient client;

	@MockitoBean
	private OrderRepository repository;

	@Test
	void answersAStoredOrderWithTheLegacyFieldNames() {
		UUID id = UUID.randomUUID();
		Instant created = Instant.parse("2026-11-24T08:00:00.123456Z");
		given(this.repository.findById(id)).willReturn(Mono.just(new StoredOrder(id, "med-1", "user-1",
				List.of(OrderStatus.PENDING), OrderChannel.API, created, created, created.plusMillis(40))));
		this.client.get()
			.uri("/orders/{id}", id)
			.exchange()
			.expectStatus()
			.isOk()
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
			.isEqualTo("2026-11-24T08:00:00.123456Z");
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

}
