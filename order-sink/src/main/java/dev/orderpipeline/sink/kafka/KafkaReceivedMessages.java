package dev.orderpipeline.sink.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.orderpipeline.sink.consuming.ReceivedMessages;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.kafka.support.KafkaHeaders;
import org.springframework.messaging.Message;

/**
 * The records the Kafka binder delivers in batch mode: a list of raw values, each
 * record's own headers in {@value KafkaHeaders#BATCH_CONVERTED_HEADERS} and its topic,
 * partition, offset, key and timestamp in lists of their own. Each record's headers are
 * given back as one map holding both, with header values that the header mapper left as
 * bytes (those of producers other than Spring's) read as UTF-8 text.
 * <p>
 * A record's id, for orders in the legacy form (without an order id of their own), is its
 * {@value #MESSAGE_ID_HEADER} header if the producer set one, else its place in the log
 * ({@code topic-partition@offset}): the same on every delivery of the record, so a
 * redelivered record is stored once.
 */
public class KafkaReceivedMessages implements ReceivedMessages {

	/** A header a producer may set to give a record in the legacy form its id. */
	public static final String MESSAGE_ID_HEADER = "message_id";

	/** The per-record values of a batch, each kept in the record's own headers. */
	private static final List<String> PER_RECORD = List.of(KafkaHeaders.RECEIVED_TOPIC, KafkaHeaders.RECEIVED_PARTITION,
			KafkaHeaders.OFFSET, KafkaHeaders.RECEIVED_KEY, KafkaHeaders.RECEIVED_TIMESTAMP);

	private static final Log logger = LogFactory.getLog(KafkaReceivedMessages.class);

	@Override
	public Message<List<byte[]>> batch(Message<Object> delivery) {
		return ReceivedMessages.batchOf(delivery, KafkaHeaders.BATCH_CONVERTED_HEADERS);
	}

	@Override
	public List<Map<String, Object>> headers(Message<List<byte[]>> batch) {
		int size = batch.getPayload().size();
		List<?> own = (batch.getHeaders().get(KafkaHeaders.BATCH_CONVERTED_HEADERS) instanceof List<?> converted)
				? converted : List.of();
		if (own.size() != size) {
			logger.warn("A batch of " + size + " came without its records' own headers: "
					+ "order-source's records, unsigned, are dead-lettered as unverified");
			own = Collections.nCopies(size, Map.of());
		}
		List<Map<String, Object>> headers = new ArrayList<>(size);
		for (int i = 0; i < size; i++) {
			Map<String, Object> record = new LinkedHashMap<>();
			if (own.get(i) instanceof Map<?, ?> map) {
				map.forEach((name, value) -> record.put(name.toString(), readable(value)));
			}
			for (String name : PER_RECORD) {
				if (batch.getHeaders().get(name) instanceof List<?> values && values.size() == size
						&& values.get(i) != null) {
					record.put(name, readable(values.get(i)));
				}
			}
			headers.add(record);
		}
		return headers;
	}

	private static Object readable(Object value) {
		return (value instanceof byte[] bytes) ? new String(bytes, StandardCharsets.UTF_8) : value;
	}

	@Override
	public String messageId(Map<String, Object> headers) {
		Object messageId = headers.get(MESSAGE_ID_HEADER);
		if (messageId != null && !messageId.toString().isEmpty()) {
			return messageId.toString();
		}
		Object topic = headers.get(KafkaHeaders.RECEIVED_TOPIC);
		Object partition = headers.get(KafkaHeaders.RECEIVED_PARTITION);
		Object offset = headers.get(KafkaHeaders.OFFSET);
		return (topic != null && partition != null && offset != null) ? topic + "-" + partition + "@" + offset : null;
	}

	@Override
	public Instant publishedAt(Map<String, Object> headers) {
		return (headers.get(KafkaHeaders.RECEIVED_TIMESTAMP) instanceof Number epochMillis)
				? Instant.ofEpochMilli(epochMillis.longValue()) : null;
	}

}
