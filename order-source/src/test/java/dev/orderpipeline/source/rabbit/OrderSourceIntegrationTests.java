package dev.orderpipeline.source.rabbit;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import dev.orderpipeline.contracts.OrderChannel;
import dev.orderpipeline.contracts.OrderPlaced;
import dev.orderpipeline.source.http.OrderAccepted;
import dev.orderpipeline.source.publishing.SendBatcher;
import dev.orderpipeline.source.publishing.SendBatcherTests;
import dev.orderpipeline.testsupport.TestTokens;
import dev.orderpipeline.testsupport.servers.TestRabbitMq;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.cloud.stream.config.ProducerMessageHandlerCustomizer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.integration.amqp.outbound.AmqpOutboundEndpoint;
import org.springframework.messaging.MessageHandler;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Both routes against the test run's RabbitMQ node, on a queue of this test's own.
 */
@DirtiesContext
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "management.server.port=0")
@AutoConfigureWebTestClient
class OrderSourceIntegrationTests {

	private static final String QUEUE = "orders_it_" + UUID.randomUUID().toString().substring(0, 8);

	private static RabbitAdmin admin;

	@Autowired
	private WebTestClient client;

	@LocalServerPort
	private int port;

	@LocalManagementPort
	private int managementPort;

	@Autowired
	private RabbitTemplate rabbit;

	@Autowired
	private JsonMapper json;

	@Autowired
	private SendBatcher batcher;

	@Autowired
	private OrdersBindingTemplate bindersTemplate;

	@DynamicPropertySource
	static void queue(DynamicPropertyRegistry registry) {
		TestTokens.shared().register(registry);
		TestRabbitMq.shared().register(registry);
		registry.add("orders.queue", () -> QUEUE);
	}

	@Autowired
	void admin(RabbitAdmin rabbitAdmin) {
		admin = rabbitAdmin;
	}

	@AfterAll
	static void deleteQueueAndExchange() {
		admin.deleteQueue(QUEUE);
		admin.deleteExchange(QUEUE);
	}

	@Test
	void talksToTheBrokerOverNonBlockingIo() {
		placeOrder("med-io", "user-io");
		admin.purgeQueue(QUEUE);
		// The client's IO thread, instead of one blocking reader per connection.
		assertThat(Thread.getAllStackTraces().keySet()).extracting(Thread::getName)
			.contains("rabbitmq-nio")
			.noneMatch((name) -> name.startsWith("AMQP Connection"));
	}

	@Test
	void ordersAreTimedUnderTheRoutesPatternForTheDashboard() {
		placeOrder("med-timed", "user-timed");
		admin.purgeQueue(QUEUE);
		// The dashboard sums http_server_requests_seconds_count by uri and status.
		String metrics = WebTestClient.bindToServer()
			.baseUrl("http://127.0.0.1:" + this.managementPort)
			.build()
			.get()
			.uri("/actuator/prometheus")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(String.class)
			.returnResult()
			.getResponseBody();
		assertThat(metrics.lines()).filteredOn((line) -> line.startsWith("http_server_requests_seconds_count{"))
			.anySatisfy((line) -> assertThat(line).contains("method=\"POST\"")
				.contains("status=\"202\"")
				.contains("uri=\"/orders\""));
	}

	@Test
	void theManagementPortPlacesNoOrder() {
		WebTestClient.bindToServer()
			.baseUrl("http://127.0.0.1:" + this.managementPort)
			.build()
			.post()
			.uri("/orders")
			.headers((headers) -> headers.setBearerAuth(TestTokens.shared().token("user-mgmt", "orders:write")))
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"medicationId\": \"med-mgmt\", \"sender_userId\": \"user-mgmt\"}")
			.exchange()
			.expectStatus()
			// Refused by the management server's own chain: placed, it would be 202.
			.isForbidden();
	}

	@Test
	void theActuatorAnswersOnTheManagementPortOnly() {
		// On the API's port an actuator path is a request like any other: it needs a
		// token.
		this.client.get().uri("/actuator/health").exchange().expectStatus().isUnauthorized();
		WebTestClient.bindToServer()
			.baseUrl("http://127.0.0.1:" + this.managementPort)
			.build()
			.get()
			.uri("/actuator/health")
			.exchange()
			.expectStatus()
			.isOk();
	}

	@Test
	void ordersQueuedWhileABatchIsSentGoOutTogetherOnTheBindersTemplateAndAreAllConfirmed() throws Exception {
		placeOrder("med-first", "user-batch");
		admin.purgeQueue(QUEUE);
		RabbitTemplate template = this.bindersTemplate.template.get();
		assertThat(template).as("the binder's template of the orders binding").isNotNull();
		AtomicInteger scopes = new AtomicInteger();
		Consumer<Runnable> onTheBindersChannel = new ChannelScope(template);
		this.batcher.scopeWith((sends) -> {
			scopes.incrementAndGet();
			onTheBindersChannel.accept(sends);
		});
		CountDownLatch release = SendBatcherTests.holdTheSender(this.batcher);
		ExecutorService clients = Executors.newFixedThreadPool(20);
		try {
			List<Future<String>> accepted = new ArrayList<>();
			for (int i = 0; i < 20; i++) {
				String medication = "med-batch-" + i;
				accepted.add(clients.submit(() -> placeOrder(medication, "user-batch-" + medication)));
			}
			await().atMost(Duration.ofSeconds(30)).until(() -> this.batcher.queued() == 20);
			release.countDown();
			Set<String> orderIds = new HashSet<>();
			for (Future<String> order : accepted) {
				orderIds.add(order.get(30, TimeUnit.SECONDS));
			}
			Set<String> queued = new HashSet<>();
			for (int i = 0; i < 20; i++) {
				Message message = this.rabbit.receive(QUEUE, 5000);
				assertThat(message).isNotNull();
				queued.add(message.getMessageProperties().getMessageId());
			}
			assertThat(queued).isEqualTo(orderIds).hasSize(20);
			assertThat(scopes).as("the 20 orders went out in one batch, on one channel").hasValue(1);
		}
		finally {
			this.batcher.scopeWith(onTheBindersChannel);
			clients.shutdownNow();
			admin.purgeQueue(QUEUE);
		}
	}

	/**
	 * Wraps the adapter's customizer of the binder's producers to learn the template it
	 * gives the sender.
	 */
	@TestConfiguration(proxyBeanMethods = false)
	static class OrdersBindingTemplate implements BeanPostProcessor {

		final AtomicReference<RabbitTemplate> template = new AtomicReference<>();

		@Override
		@SuppressWarnings("unchecked")
		public Object postProcessAfterInitialization(Object bean, String beanName) {
			if ("ordersOnOneChannel".equals(beanName)) {
				ProducerMessageHandlerCustomizer<MessageHandler> adapters = (ProducerMessageHandlerCustomizer<MessageHandler>) bean;
				return (ProducerMessageHandlerCustomizer<MessageHandler>) (handler, destination) -> {
					adapters.configure(handler, destination);
					if (handler instanceof AmqpOutboundEndpoint endpoint && destination.equals(QUEUE)) {
						this.template.set(endpoint.getRabbitTemplate());
					}
				};
			}
			return bean;
		}

	}

	// A sender of its own for each order: the rate limit holds per sender.
	private String placeOrder(String medication, String sender) {
		return this.client.post()
			.uri("/orders")
			.headers((headers) -> headers.setBearerAuth(TestTokens.shared().token(sender, "orders:write")))
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"medicationId\": \"" + medication + "\", \"sender_userId\": \"" + sender + "\"}")
			.exchange()
			.expectStatus()
			.isAccepted()
			.expectBody(OrderAccepted.class)
			.returnResult()
			.getResponseBody()
			.orderId()
			.toString();
	}

	@Test
	void anAcceptedOrderIsOnTheQueueAsPersistentJson() {
		String orderId = placeOrder("med-it", "user-it");
		Message message = this.rabbit.receive(QUEUE, 5000);
		assertThat(message).isNotNull();
		assertThat(message.getMessageProperties().getMessageId()).isEqualTo(orderId);
		assertThat(message.getMessageProperties().getContentType()).isEqualTo("application/json");
		assertThat(message.getMessageProperties().getReceivedDeliveryMode())
			.isEqualTo(org.springframework.amqp.core.MessageDeliveryMode.PERSISTENT);
		OrderPlaced order = this.json.readValue(message.getBody(), OrderPlaced.class);
		assertThat(order.orderId()).hasToString(orderId);
		assertThat(order.medicationId()).isEqualTo("med-it");
		assertThat(order.channel()).isEqualTo(OrderChannel.API);
	}

	@Test
	void aLegacyOrderIsOnTheQueueAfterTheLegacyAnswer() {
		this.client.post()
			.uri("/queue/neworder")
			.headers((headers) -> headers.setBearerAuth(TestTokens.shared().token("user-legacy", "orders:write")))
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(
					"{\"medicationId\": \"med-legacy\", \"sender_userId\": \"user-legacy\", \"status\": [\"PENDING\"]}")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.message")
			.isEqualTo("Order queued succesfully");
		Message message = this.rabbit.receive(QUEUE, 5000);
		assertThat(message).isNotNull();
		assertThat(this.json.readValue(message.getBody(), OrderPlaced.class).channel())
			.isEqualTo(OrderChannel.LEGACY_HTTP);
	}

	@Test
	void answers415ProblemForAContentTypeThatIsNotAMediaType() throws Exception {
		HttpResponse<String> response = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + "/orders"))
				.header("Content-Type", "json")
				.header("Authorization", "Bearer " + TestTokens.shared().token("u", "orders:write"))
				.POST(HttpRequest.BodyPublishers.ofString("{\"medicationId\": \"m\", \"sender_userId\": \"u\"}"))
				.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(415);
		assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
		assertThat(response.body()).contains("\"field\":\"Content-Type\"");
	}

	@Test
	void answers503UnroutableWhenTheQueueIsGoneAndTheBrokerReturnsTheOrder() {
		admin.deleteQueue(QUEUE);
		try {
			this.client.post()
				.uri("/orders")
				.headers((headers) -> headers.setBearerAuth(TestTokens.shared().token("u", "orders:write")))
				.contentType(MediaType.APPLICATION_JSON)
				.bodyValue("{\"medicationId\": \"m\", \"sender_userId\": \"u\"}")
				.exchange()
				.expectStatus()
				.isEqualTo(503)
				.expectHeader()
				.exists(HttpHeaders.RETRY_AFTER)
				.expectBody()
				.jsonPath("$.reason")
				.isEqualTo("UNROUTABLE")
				.jsonPath("$.orderId")
				.exists();
		}
		finally {
			admin.declareQueue(new org.springframework.amqp.core.Queue(QUEUE));
			admin.declareBinding(new org.springframework.amqp.core.Binding(QUEUE,
					org.springframework.amqp.core.Binding.DestinationType.QUEUE, QUEUE, "#", null));
		}
	}

}
