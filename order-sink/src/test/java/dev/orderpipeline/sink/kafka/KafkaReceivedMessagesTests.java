package dev.orderpipeline.sink.kafka;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.kafka.support.KafkaHeaders;
import org.springframework.messaging.Message;
import org.springframework.messaging.support.MessageBuilder;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class KafkaReceivedMessagesTests {

	private final KafkaReceivedMessages messages = new KafkaReceivedMessages();

	@Test
	void givesEachRecordItsOwnHeadersWithItsPlaceInTheLogAndTextForBytes() {
		Message<Object> delivery = MessageBuilder.<Object>withPayload(List.of("a".getBytes(UTF_8), "b".getBytes(UTF_8)))
			.setHeader(KafkaHeaders.BATCH_CONVERTED_HEADERS,
					List.of(Map.of("order_signature", "v1:k:sig".getBytes(UTF_8)), Map.of("message_id", "m-2")))
			.setHeader(KafkaHeaders.RECEIVED_TOPIC, List.of("orders", "orders"))
			.setHeader(KafkaHeaders.RECEIVED_PARTITION, List.of(3, 1))
			.setHeader(KafkaHeaders.OFFSET, List.of(41L, 7L))
			.setHeader(KafkaHeaders.RECEIVED_TIMESTAMP, List.of(1_000L, 2_000L))
			.build();
		Message<List<byte[]>> batch = this.messages.batch(delivery);
		List<Map<String, Object>> headers = this.messages.headers(batch);
		assertThat(headers).hasSize(2);
		assertThat(headers.get(0)).containsEntry("order_signature", "v1:k:sig").containsEntry(KafkaHeaders.OFFSET, 41L);
		assertThat(this.messages.messageId(headers.get(0))).isEqualTo("orders-3@41");
		assertThat(this.messages.messageId(headers.get(1))).isEqualTo("m-2");
		assertThat(this.messages.publishedAt(headers.get(1))).isEqualTo(Instant.ofEpochMilli(2_000));
	}

	@Test
	void aBatchWithoutItsRecordsHeadersGivesEmptyOnesAndNoIds() {
		Message<Object> delivery = MessageBuilder.<Object>withPayload(List.of("a".getBytes(UTF_8))).build();
		List<Map<String, Object>> headers = this.messages.headers(this.messages.batch(delivery));
		assertThat(headers).containsExactly(Map.of());
		assertThat(this.messages.messageId(headers.get(0))).isNull();
		assertThat(this.messages.publishedAt(headers.get(0))).isNull();
	}

	@Test
	void aTombstoneIsAnEmptyBodyAndConvertedValuesAreRefused() {
		List<Object> values = new java.util.ArrayList<>();
		values.add(null);
		assertThat(this.messages.batch(MessageBuilder.<Object>withPayload(values).build()).getPayload()).singleElement()
			.satisfies((body) -> assertThat(body).isEmpty());
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.messages.batch(MessageBuilder.<Object>withPayload(List.of("text")).build()))
			.withMessageContaining("application/octet-stream");
	}

}
