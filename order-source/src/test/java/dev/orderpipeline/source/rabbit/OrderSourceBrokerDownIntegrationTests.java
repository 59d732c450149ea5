package dev.orderpipeline.source.rabbit;

import java.io.IOException;
import java.net.ServerSocket;

import dev.orderpipeline.testsupport.TestTokens;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The broker unreachable: a closed port on 127.0.0.1.
 */
@DirtiesContext
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "management.server.port=0", "spring.rabbitmq.host=127.0.0.1",
				"orders.source.confirm-timeout=30s", "orders.source.read-timeout=60s" })
@AutoConfigureWebTestClient
class OrderSourceBrokerDownIntegrationTests {

	@Autowired
	private WebTestClient client;

	@DynamicPropertySource
	static void closedPort(DynamicPropertyRegistry registry) throws IOException {
		TestTokens.shared().register(registry);
		int port;
		try (ServerSocket socket = new ServerSocket(0)) {
			port = socket.getLocalPort();
		}
		int closed = port;
		registry.add("spring.rabbitmq.port", () -> closed);
	}

	@Test
	void answers503BrokerUnavailableWithoutWaitingForTheConfirmTimeout() {
		for (String route : new String[] { "/orders", "/queue/neworder" }) {
			this.client.post()
				.uri(route)
				.headers((headers) -> headers.setBearerAuth(TestTokens.shared().token("u", "orders:write")))
				.contentType(MediaType.APPLICATION_JSON)
				.header("Idempotency-Key", "retry-me")
				.bodyValue("{\"medicationId\": \"m\", \"sender_userId\": \"u\"}")
				.exchange()
				.expectStatus()
				.isEqualTo(503)
				.expectHeader()
				.valueEquals(HttpHeaders.RETRY_AFTER, "5")
				.expectHeader()
				.contentType(MediaType.APPLICATION_PROBLEM_JSON)
				.expectBody()
				.jsonPath("$.reason")
				.isEqualTo("BROKER_UNAVAILABLE")
				.jsonPath("$.orderId")
				.exists();
		}
	}

}
