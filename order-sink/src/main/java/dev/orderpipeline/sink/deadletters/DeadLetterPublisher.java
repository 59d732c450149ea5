package dev.orderpipeline.sink.deadletters;

import java.util.List;
import java.util.Map;

/**
 * Where messages that can never be stored go, each with its cause.
 */
@FunctionalInterface
public interface DeadLetterPublisher {

	/** Header naming why the message was dead-lettered. */
	String EXCEPTION_MESSAGE_HEADER = "x-exception-message";

	/**
	 * Header with the kind of failure: {@code undecodable}, {@code oversized},
	 * {@code unverified} or {@code refused}.
	 */
	String FAILURE_KIND_HEADER = "x-failure-kind";

	/** Header with the exchange the message was received from. */
	String ORIGINAL_EXCHANGE_HEADER = "x-original-exchange";

	/** Header with the routing key the message was received with. */
	String ORIGINAL_ROUTING_KEY_HEADER = "x-original-routingKey";

	/** Header with the queue the message was consumed from. */
	String ORIGINAL_QUEUE_HEADER = "x-original-queue";

	/** Every header the sink adds when it dead-letters a message. */
	List<String> FAILURE_HEADERS = List.of(EXCEPTION_MESSAGE_HEADER, FAILURE_KIND_HEADER, ORIGINAL_EXCHANGE_HEADER,
			ORIGINAL_ROUTING_KEY_HEADER, ORIGINAL_QUEUE_HEADER);

	/**
	 * Publishes a message to the dead-letter queue and returns once the broker confirmed
	 * it.
	 * @param body the message body, unchanged
	 * @param headers the message's headers as received
	 * @param failure why it cannot be stored
	 * @throws RuntimeException if the broker did not confirm; the caller retries
	 */
	void publish(byte[] body, Map<String, Object> headers, Failure failure);

	/**
	 * Why a message cannot be stored.
	 *
	 * @param kind {@code undecodable} (not an order), {@code oversized} (larger than
	 * {@code orders.sink.max-message-size}), {@code unverified} (it claims to come from
	 * order-source and does not verify) or {@code refused} (the database refused it)
	 * @param message the cause, without the payload
	 */
	record Failure(String kind, String message) {

		public static Failure undecodable(String message) {
			return new Failure("undecodable", message);
		}

		public static Failure oversized(String message) {
			return new Failure("oversized", message);
		}

		public static Failure unverified(String message) {
			return new Failure("unverified", message);
		}

		public static Failure refused(String message) {
			return new Failure("refused", message);
		}

	}

}
