package dev.orderpipeline.sink.consuming;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.orderpipeline.contracts.NewOrder;
import dev.orderpipeline.contracts.OrderSignature;
import dev.orderpipeline.sink.deadletters.DeadLetterPublisher;
import dev.orderpipeline.sink.rabbit.RabbitReceivedMessages;
import dev.orderpipeline.testsupport.TestDatabase;
import dev.orderpipeline.testsupport.TestSigning;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.cloud.stream.binder.test.EnableTestBinder;
import org.springframework.cloud.stream.binder.test.InputDestination;
import org.springframework.messaging.Message;
import org.springframework.messaging.support.MessageBuilder;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.verify;

/**
 * The bound function on the test binder, storing into the test run's PostgreSQL.
 */
@SpringBootTest(properties = "spring.main.web-application-type=none")
@EnableTestBinder
@DeadLetters.Mocked
class OrderSinkFunctionTests {

	@Autowired
	private InputDestination input;

	@Autowired
	private DeadLetterPublisher deadLetters;

	@DynamicPropertySource
	static void database(DynamicPropertyRegistry registry) {
		TestDatabase.shared().register(registry);
		TestSigning.properties().forEach((name, value) -> registry.add(name, () -> value));
	}

	@Test
	void aBatchOnTheBindingIsStoredAndItsPoisonDeadLetteredByItself() {
		UUID placed = UUID.randomUUID();
		String legacyMessageId = "legacy-" + UUID.randomUUID();
		String sender = "user-" + UUID.randomUUID();
		String event = "{\"orderId\": \"" + placed + "\", \"medicationId\": \"m\", \"sender_userId\": \"" + sender
				+ "\", \"status\": [\"PENDING\"], \"createdAt\": \"2026-11-24T08:00:00Z\", \"channel\": \"API\"}";
		String legacyBody = "{\"medicationId\": \"m\", \"sender_userId\": \"" + sender + "\"}";
		Message<List<byte[]>> batch = MessageBuilder
			.withPayload(List.of(event.getBytes(UTF_8), "\u0000 not json".getBytes(UTF_8), legacyBody.getBytes(UTF_8)))
			.setHeader(RabbitReceivedMessages.BATCHED_HEADERS,
					List.of(Map.of(OrderSignature.HEADER, TestSigning.sign(event.getBytes(UTF_8))), Map.of(),
							Map.of(RabbitReceivedMessages.MESSAGE_ID_HEADER, legacyMessageId)))
			.build();
		this.input.send(batch, "create_order_queue");
		assertThat(TestDatabase.shared().countOrders("sender_user_id = '" + sender + "'")).isEqualTo(2);
		assertThat(TestDatabase.shared()
			.countOrders("order_id = '" + NewOrder.idForMessage(legacyMessageId) + "' AND channel = 'LEGACY_QUEUE'"))
			.isOne();
		ArgumentCaptor<DeadLetterPublisher.Failure> failure = ArgumentCaptor
			.forClass(DeadLetterPublisher.Failure.class);
		verify(this.deadLetters).publish(any(), any(), failure.capture());
		assertThat(failure.getValue().kind()).isEqualTo("undecodable");
	}

}
