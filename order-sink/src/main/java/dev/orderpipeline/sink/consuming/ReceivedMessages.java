package dev.orderpipeline.sink.consuming;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.springframework.messaging.Message;

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
