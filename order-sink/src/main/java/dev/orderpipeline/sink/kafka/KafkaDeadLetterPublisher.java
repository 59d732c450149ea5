package dev.orderpipeline.sink.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

import dev.orderpipeline.sink.deadletters.DeadLetter;
import dev.orderpipeline.sink.deadletters.DeadLetterPublisher;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.header.Headers;

import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.support.KafkaHeaders;

/**
 * Appends a record to the dead-letter topic with its original value, key and headers and
 * the cause, and waits for the broker's acknowledgement ({@code acks=all}). The headers
 * are those of the RabbitMQ dead-letter queue ({@code x-exception-message},
 * {@code x-failure-kind}, {@code x-original-queue} naming the topic), with the record's
 * partition and offset, and its {@value KafkaReceivedMessages#MESSAGE_ID_HEADER}, so that
 * a replayed copy of a record in the legacy form keeps its id; the record keeps the time
 * its producer gave it, and the time it was dead-lettered is in
 * {@value DeadLetter#DEAD_LETTERED_AT_HEADER}.
 */
class KafkaDeadLetterPublisher implements DeadLetterPublisher {

	/** Header with the partition the record was consumed from. */
	static final String ORIGINAL_PARTITION_HEADER = "x-original-partition";

	/** Header with the record's offset in that partition. */
	static final String ORIGINAL_OFFSET_HEADER = "x-original-offset";

	/** The headers this publisher sets, never copied from the record. */
	static final List<String> SINK_HEADERS = Stream
		.concat(FAILURE_HEADERS.stream(),
				Stream.of(ORIGINAL_PARTITION_HEADER, ORIGINAL_OFFSET_HEADER, DeadLetter.DEAD_LETTERED_AT_HEADER))
		.toList();

	private static final int MAX_HEADER_LENGTH = 1000;

	private final KafkaTemplate<byte[], byte[]> kafka;

	private final String topic;

	private final Duration timeout;

	private final KafkaReceivedMessages messages = new KafkaReceivedMessages();

	KafkaDeadLetterPublisher(KafkaTemplate<byte[], byte[]> kafka, String topic, Duration timeout) {
		this.kafka = kafka;
		this.topic = topic;
		this.timeout = timeout;
	}

	@Override
	public void publish(byte[] body, Map<String, Object> headers, Failure failure) {
		Object key = headers.get(KafkaHeaders.RECEIVED_KEY);
		Long sentAt = (headers.get(KafkaHeaders.RECEIVED_TIMESTAMP) instanceof Number time) ? time.longValue() : null;
		ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(this.topic, null, sentAt,
				(key != null) ? bytes(key) : null, body);
		Headers recordHeaders = record.headers();
		headers.forEach((name, value) -> {
			if (value != null && !name.startsWith(KafkaHeaders.PREFIX) && !SINK_HEADERS.contains(name)) {
				recordHeaders.add(name, bytes(value));
			}
		});
		add(recordHeaders, DeadLetter.DEAD_LETTERED_AT_HEADER, System.currentTimeMillis());
		String messageId = this.messages.messageId(headers);
		if (messageId != null && !headers.containsKey(KafkaReceivedMessages.MESSAGE_ID_HEADER)) {
			recordHeaders.add(KafkaReceivedMessages.MESSAGE_ID_HEADER, bytes(messageId));
		}
		add(recordHeaders, EXCEPTION_MESSAGE_HEADER, truncate(failure.message()));
		add(recordHeaders, FAILURE_KIND_HEADER, failure.kind());
		add(recordHeaders, ORIGINAL_QUEUE_HEADER, headers.get(KafkaHeaders.RECEIVED_TOPIC));
		add(recordHeaders, ORIGINAL_PARTITION_HEADER, headers.get(KafkaHeaders.RECEIVED_PARTITION));
		add(recordHeaders, ORIGINAL_OFFSET_HEADER, headers.get(KafkaHeaders.OFFSET));
		try {
			this.kafka.send(record).get(this.timeout.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new DeadLetterFailedException("Interrupted while waiting for the acknowledgement", ex);
		}
		catch (ExecutionException | TimeoutException ex) {
			throw new DeadLetterFailedException(
					"No acknowledgement for the dead-lettered record on " + this.topic + ": " + ex.getMessage(), ex);
		}
	}

	private static void add(Headers headers, String name, Object value) {
		if (value != null) {
			headers.add(name, bytes(value));
		}
	}

	private static byte[] bytes(Object value) {
		return (value instanceof byte[] bytes) ? bytes : value.toString().getBytes(StandardCharsets.UTF_8);
	}

	private static String truncate(String text) {
		return (text == null || text.length() <= MAX_HEADER_LENGTH) ? text : text.substring(0, MAX_HEADER_LENGTH);
	}

	static class DeadLetterFailedException extends KafkaException {

		DeadLetterFailedException(String message, Throwable cause) {
			super(message, cause);
		}

	}

}
