package dev.orderpipeline.sink.rabbit;

import java.time.Instant;
import java.util.Collections;
import java.util.Date;
import java.util.List;
import java.util.Map;

import dev.orderpipeline.sink.consuming.ReceivedMessages;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.amqp.support.AmqpHeaders;
import org.springframework.messaging.Message;

/**
 * The messages the RabbitMQ binder delivers in batch mode: a list of raw bodies, with
 * each message's own headers in {@value #BATCHED_HEADERS}, its AMQP {@code message_id} in
 * {@value #MESSAGE_ID_HEADER} and its {@code timestamp} in {@value #TIMESTAMP_HEADER}.
 */
public class RabbitReceivedMessages implements ReceivedMessages {

	/**
	 * The header the binder puts each message's own headers in, in batch mode (Spring
	 * Integration's consolidated headers).
	 */
	public static final String BATCHED_HEADERS = AmqpHeaders.PREFIX + "batchedHeaders";

	/** A message's AMQP {@code message_id}. */
	public static final String MESSAGE_ID_HEADER = AmqpHeaders.MESSAGE_ID;

	/** A message's AMQP {@code timestamp}. */
	public static final String TIMESTAMP_HEADER = AmqpHeaders.TIMESTAMP;

	private static final Log logger = LogFactory.getLog(RabbitReceivedMessages.class);

	@Override
	public Message<List<byte[]>> batch(Message<Object> delivery) {
		return ReceivedMessages.batchOf(delivery, BATCHED_HEADERS);
	}

	@Override
	@SuppressWarnings("unchecked")
	public List<Map<String, Object>> headers(Message<List<byte[]>> batch) {
		Object batched = batch.getHeaders().get(BATCHED_HEADERS);
		if (batched instanceof List<?> list && list.size() == batch.getPayload().size()) {
			return (List<Map<String, Object>>) list;
		}
		logger.warn("A batch of " + batch.getPayload().size() + " came without its messages' own headers: "
				+ "legacy orders in it get new ids, and order-source's messages, unsigned, are dead-lettered as unverified");
		return Collections.nCopies(batch.getPayload().size(), Map.of());
	}

	@Override
	public String messageId(Map<String, Object> headers) {
		Object messageId = headers.get(MESSAGE_ID_HEADER);
		return (messageId != null && !messageId.toString().isEmpty()) ? messageId.toString() : null;
	}

	@Override
	public Instant publishedAt(Map<String, Object> headers) {
		Object timestamp = headers.get(TIMESTAMP_HEADER);
		if (timestamp instanceof Date date) {
			return date.toInstant();
		}
		if (timestamp instanceof Number epochMillis) {
			return Instant.ofEpochMilli(epochMillis.longValue());
		}
		return null;
	}

}
