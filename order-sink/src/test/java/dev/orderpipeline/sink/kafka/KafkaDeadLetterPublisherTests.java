package dev.orderpipeline.sink.kafka;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import dev.orderpipeline.sink.deadletters.DeadLetterPublisher;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
import org.yaml.snakeyaml.Yaml;

import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.support.KafkaHeaders;
import org.springframework.kafka.support.SendResult;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.BDDMockito.given;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;

/**
 * The dead letter the sink writes on Kafka: the original record with the cause, as the
 * AsyncAPI document of the contracts describes it, keeping its key, time, headers and
 * replay count.
 */
class KafkaDeadLetterPublisherTests {

	@SuppressWarnings("unchecked")
	private final KafkaTemplate<byte[], byte[]> kafka = mock(KafkaTemplate.class);

	private final KafkaDeadLetterPublisher publisher = new KafkaDeadLetterPublisher(this.kafka, "orders.dlq",
			Duration.ofSeconds(1));

	@Test
	void keepsTheRecordsKeyTimeAndHeadersAndAddsTheCause() {
		Map<String, Object> received = received();
		received.put("x-replay-count", "2");
		received.put("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
		// The header has milliseconds.
		Instant before = Instant.now().truncatedTo(ChronoUnit.MILLIS);

		ProducerRecord<byte[], byte[]> deadLetter = publish(received,
				DeadLetterPublisher.Failure.refused("SQLState 22021"));

		assertThat(deadLetter.topic()).isEqualTo("orders.dlq");
		assertThat(new String(deadLetter.key(), StandardCharsets.UTF_8)).isEqualTo("order-1");
		assertThat(deadLetter.value()).containsExactly('{');
		assertThat(deadLetter.timestamp()).isEqualTo(Instant.parse("2026-11-20T09:30:00Z").toEpochMilli());
		Map<String, String> headers = headers(deadLetter);
		assertThat(headers).containsEntry("x-replay-count", "2")
			.containsEntry("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
			.containsEntry("x-failure-kind", "refused")
			.containsEntry("x-exception-message", "SQLState 22021")
			.containsEntry("x-original-queue", "create_order_queue")
			.containsEntry("x-original-partition", "3")
			.containsEntry("x-original-offset", "41")
			.containsEntry("message_id", "create_order_queue-3@41")
			.doesNotContainKey(KafkaHeaders.OFFSET);
		assertThat(Instant.ofEpochMilli(Long.parseLong(headers.get("timestamp")))).isBetween(before, Instant.now());
	}

	@Test
	void setsExactlyTheHeadersTheAsyncApiDocumentRequiresOfADeadLetterRecord() throws IOException {
		Map<String, Object> received = received();
		ProducerRecord<byte[], byte[]> deadLetter = publish(received,
				DeadLetterPublisher.Failure.undecodable("not an order"));

		Set<String> added = new HashSet<>(headers(deadLetter).keySet());
		added.removeAll(received.keySet());
		Map<String, Object> documented = deadLetterRecordHeadersDocumented();
		// A record in the legacy form gets the id its order would have, kept for a
		// replay.
		assertThat(added.remove("message_id")).isTrue();
		assertThat(asMap(documented.get("properties"))).containsKeys("message_id", "x-replay-count");
		assertThat(added).containsExactlyInAnyOrderElementsOf(asStrings(documented.get("required")));
	}

	@Test
	void aRecordTheBrokerDoesNotAcknowledgeFailsThePublishSoTheBatchIsRetried() {
		given(this.kafka.send(any(ProducerRecord.class)))
			.willReturn(CompletableFuture.failedFuture(new TimeoutException("no broker")));
		assertThatExceptionOfType(KafkaDeadLetterPublisher.DeadLetterFailedException.class)
			.isThrownBy(() -> this.publisher.publish(new byte[] { '{' }, received(),
					DeadLetterPublisher.Failure.undecodable("not an order")))
			.withMessageContaining("orders.dlq");
	}

	@SuppressWarnings("unchecked")
	private ProducerRecord<byte[], byte[]> publish(Map<String, Object> headers, DeadLetterPublisher.Failure failure) {
		given(this.kafka.send(any(ProducerRecord.class)))
			.willReturn(CompletableFuture.completedFuture(mock(SendResult.class)));
		this.publisher.publish(new byte[] { '{' }, headers, failure);
		ArgumentCaptor<ProducerRecord<byte[], byte[]>> record = ArgumentCaptor.forClass(ProducerRecord.class);
		verify(this.kafka).send(record.capture());
		return record.getValue();
	}

	/**
	 * A record's headers as KafkaReceivedMessages hands them to the function.
	 */
	private static Map<String, Object> received() {
		Map<String, Object> headers = new HashMap<>();
		headers.put(KafkaHeaders.RECEIVED_TOPIC, "create_order_queue");
		headers.put(KafkaHeaders.RECEIVED_PARTITION, 3);
		headers.put(KafkaHeaders.OFFSET, 41L);
		headers.put(KafkaHeaders.RECEIVED_KEY, "order-1");
		headers.put(KafkaHeaders.RECEIVED_TIMESTAMP, Instant.parse("2026-11-20T09:30:00Z").toEpochMilli());
		return headers;
	}

	private static Map<String, String> headers(ProducerRecord<byte[], byte[]> record) {
		Map<String, String> headers = new HashMap<>();
		for (Header header : record.headers()) {
			headers.put(header.key(), new String(header.value(), StandardCharsets.UTF_8));
		}
		return headers;
	}

	private static Map<String, Object> deadLetterRecordHeadersDocumented() throws IOException {
		try (InputStream in = KafkaDeadLetterPublisherTests.class.getClassLoader()
			.getResourceAsStream("dev/orderpipeline/contracts/asyncapi.yaml")) {
			assertThat(in).as("asyncapi.yaml of the contracts").isNotNull();
			Map<String, Object> document = new Yaml().load(in);
			return asMap(asMap(asMap(asMap(document.get("components")).get("messages")).get("DeadLetterRecord"))
				.get("headers"));
		}
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> asMap(Object value) {
		assertThat(value).isInstanceOf(Map.class);
		return (Map<String, Object>) value;
	}

	@SuppressWarnings("unchecked")
	private static List<String> asStrings(Object value) {
		assertThat(value).isInstanceOf(List.class);
		return (List<String>) value;
	}

}
