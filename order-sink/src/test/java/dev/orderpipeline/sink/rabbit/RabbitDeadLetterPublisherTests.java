package dev.orderpipeline.sink.rabbit;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.orderpipeline.sink.OrderSinkProperties;
import dev.orderpipeline.sink.deadletters.DeadLetterPublisher;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
import org.yaml.snakeyaml.Yaml;

import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.connection.CorrelationData;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.BDDMockito.willAnswer;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;

/**
 * The dead letter the sink publishes: the original message with the cause, as the
 * AsyncAPI document of the contracts describes it, and with the replay count of a
 * replayed message, so the replay cap holds across failures.
 */
class RabbitDeadLetterPublisherTests {

	private static final String DEAD_LETTER_QUEUE = "orders.dlq";

	private final RabbitTemplate rabbit = mock(RabbitTemplate.class);

	private final RabbitDeadLetterPublisher publisher = new RabbitDeadLetterPublisher(this.rabbit,
			mock(RabbitAdmin.class),
			new OrderSinkProperties(DEAD_LETTER_QUEUE, "orders.dlx", Duration.ofSeconds(30), Duration.ofSeconds(1),
					Duration.ofMillis(500), Duration.ofSeconds(15), 2, null, Duration.ofMillis(20),
					DataSize.ofKilobytes(64), null));

	@Test
	void keepsTheReplayCountAndTheOriginalPropertiesAndAddsTheCause() {
		Map<String, Object> received = received();
		received.put("x-replay-count", 2);
		received.put("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
		Instant before = Instant.now();

		MessageProperties deadLetter = publish(received, DeadLetterPublisher.Failure.refused("SQLState 22021"));

		assertThat(deadLetter.getMessageId()).isEqualTo("order-1");
		assertThat(deadLetter.getTimestamp()).isEqualTo(Date.from(Instant.parse("2026-11-20T09:30:00Z")));
		assertThat(deadLetter.getContentType()).isEqualTo("application/json");
		assertThat(deadLetter.getDeliveryMode()).isEqualTo(MessageDeliveryMode.PERSISTENT);
		Map<String, Object> headers = deadLetter.getHeaders();
		assertThat(headers).containsEntry("x-replay-count", 2)
			.containsEntry("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
			.containsEntry("x-failure-kind", "refused")
			.containsEntry("x-exception-message", "SQLState 22021")
			.containsEntry("x-original-exchange", "create_order_queue")
			.containsEntry("x-original-routingKey", "create_order_queue")
			.containsEntry("x-original-queue", "create_order_queue");
		// The time of dead-lettering, which dead-letters list shows.
		assertThat(Instant.ofEpochMilli((Long) headers.get("timestamp"))).isBetween(before, Instant.now());
	}

	@Test
	void setsExactlyTheHeadersTheAsyncApiDocumentRequiresOfADeadLetter() throws IOException {
		Map<String, Object> received = received();
		MessageProperties deadLetter = publish(received, DeadLetterPublisher.Failure.undecodable("not an order"));

		Set<String> added = new HashSet<>(deadLetter.getHeaders().keySet());
		added.removeAll(received.keySet());
		// Spring's random message id, which the header mapping copies: it means nothing.
		added.remove("id");
		Map<String, Object> headers = deadLetterHeadersDocumented();
		assertThat(added).containsExactlyInAnyOrderElementsOf(asStrings(headers.get("required")));
		assertThat(asMap(headers.get("properties"))).containsKeys("x-replay-count", "traceparent");
		assertThat(asMap(asMap(headers.get("properties")).get("x-failure-kind")).get("enum"))
			.isEqualTo(List.of("undecodable", "oversized", "unverified", "refused"));
	}

	private MessageProperties publish(Map<String, Object> headers, DeadLetterPublisher.Failure failure) {
		willAnswer((invocation) -> {
			CorrelationData correlation = invocation.getArgument(3);
			correlation.getFuture().complete(new CorrelationData.Confirm(true, null));
			return null;
		}).given(this.rabbit).send(eq(""), eq(DEAD_LETTER_QUEUE), any(Message.class), any(CorrelationData.class));
		this.publisher.publish(new byte[] { '{' }, headers, failure);
		ArgumentCaptor<Message> message = ArgumentCaptor.forClass(Message.class);
		verify(this.rabbit).send(eq(""), eq(DEAD_LETTER_QUEUE), message.capture(), any(CorrelationData.class));
		assertThat(message.getValue().getBody()).containsExactly('{');
		return message.getValue().getMessageProperties();
	}

	/**
	 * A message's headers as the binder hands them to the sink in a batch.
	 */
	private static Map<String, Object> received() {
		Map<String, Object> headers = new HashMap<>();
		headers.put("amqp_messageId", "order-1");
		headers.put("amqp_timestamp", Date.from(Instant.parse("2026-11-20T09:30:00Z")));
		headers.put("amqp_contentType", "application/json");
		headers.put("amqp_receivedExchange", "create_order_queue");
		headers.put("amqp_receivedRoutingKey", "create_order_queue");
		headers.put("amqp_consumerQueue", "create_order_queue");
		headers.put("amqp_deliveryTag", 7L);
		headers.put("amqp_redelivered", false);
		headers.put("contentType", "application/json");
		return headers;
	}

	private static Map<String, Object> deadLetterHeadersDocumented() throws IOException {
		try (InputStream in = RabbitDeadLetterPublisherTests.class.getClassLoader()
			.getResourceAsStream("dev/orderpipeline/contracts/asyncapi.yaml")) {
			assertThat(in).as("asyncapi.yaml of the contracts").isNotNull();
			Map<String, Object> document = new Yaml().load(in);
			Map<String, Object> deadLetter = asMap(
					asMap(asMap(document.get("components")).get("messages")).get("DeadLetter"));
			return asMap(deadLetter.get("headers"));
		}
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> asMap(Object value) {
		assertThat(value).isInstanceOf(Map.class);
		return (Map<String, Object>) value;
	}

	private static List<String> asStrings(Object value) {
		assertThat(value).isInstanceOf(List.class);
		return ((List<?>) value).stream().map(String::valueOf).toList();
	}

}
