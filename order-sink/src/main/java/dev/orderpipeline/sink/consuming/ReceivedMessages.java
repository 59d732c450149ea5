package dev.orderpipeline.sink.consuming;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.springframework.messaging.Message;
import org.springframework.messaging.support.MessageBuilder;

/**
 * What the binder in use tells of the messages it delivers, in the sink's words: the
 * batch, each message's own headers, and the id and time a legacy publisher may have set.
 * One implementation per binder, in its adapter package.
 */
public interface ReceivedMessages {

	/**
	 * The batch a delivery carries.
	 * @param delivery what the function received: a batch of raw bodies, or one body
	 * @return the bodies, in order, with the delivery's headers
	 * @throws IllegalArgumentException if the payload is neither
	 */
	Message<List<byte[]>> batch(Message<Object> delivery);

	/**
	 * A delivery as a batch: a list of raw bodies as it is, or one body as a batch of one
	 * whose own headers are the delivery's, under the binder's per-message header.
	 * @param delivery what the function received
	 * @param perMessageHeaders the header the binder puts each message's own headers in
	 * @return the batch
	 * @throws IllegalArgumentException if the payload is neither
	 */
	static Message<List<byte[]>> batchOf(Message<Object> delivery, String perMessageHeaders) {
		Object payload = delivery.getPayload();
		if (payload instanceof byte[] body) {
			return MessageBuilder.withPayload(List.of(body))
				.copyHeaders(delivery.getHeaders())
				.setHeader(perMessageHeaders, List.of(Map.copyOf(delivery.getHeaders())))
				.build();
		}
		return MessageBuilder.withPayload(rawBodies(payload)).copyHeaders(delivery.getHeaders()).build();
	}

	/**
	 * The raw bodies a binder delivers as a batch, in order; a message without a body (a
	 * log's tombstone) is an empty one, which is no order.
	 * @param payload the delivery's payload
	 * @return the bodies
	 * @throws IllegalArgumentException if the payload is not a list of raw bodies
	 */
	static List<byte[]> rawBodies(Object payload) {
		if (!(payload instanceof List<?> list)) {
			throw new IllegalArgumentException(
					"Expected a batch of raw message bodies, got " + payload.getClass().getName());
		}
		List<byte[]> bodies = new ArrayList<>(list.size());
		for (Object element : list) {
			if (element == null) {
				bodies.add(new byte[0]);
			}
			else if (element instanceof byte[] body) {
				bodies.add(body);
			}
			else {
				throw new IllegalArgumentException("Expected raw message bodies, got " + element.getClass().getName()
						+ ": the binding's content type must be application/octet-stream");
			}
		}
		return bodies;
	}

	/**
	 * Each message's own headers.
	 * @param batch a batch from {@link #batch}
	 * @return one map per body, in order; empty maps if the binder kept none
	 */
	List<Map<String, Object>> headers(Message<List<byte[]>> batch);

	/**
	 * The id the publisher gave a message.
	 * @param headers the message's own headers
	 * @return the id, or {@code null} if it has none
	 */
	String messageId(Map<String, Object> headers);

	/**
	 * When the publisher says it sent a message.
	 * @param headers the message's own headers
	 * @return the time, or {@code null} if it gave none
	 */
	Instant publishedAt(Map<String, Object> headers);

}
