package dev.orderpipeline.sink.deadletters;

import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;

import dev.orderpipeline.contracts.NewOrder;
import dev.orderpipeline.contracts.OrderSignature;

/**
 * What the commands tell about one dead-lettered message: where it is, whose it is and
 * why it is there. Never its body, which holds health data.
 *
 * @param position its place in the dead-letter queue, from 1
 * @param orderId the id the order has, or would have, once stored: order-source's
 * messages (signed) carry it as their {@code message_id}; a legacy message's is derived
 * from its {@code message_id} ({@link NewOrder#idForMessage}); {@code null} if the
 * publisher set no message id
 * @param messageId the AMQP {@code message_id}, or {@code null}
 * @param deadLetteredAt when it was dead-lettered, or {@code null} if unknown
 * @param sentAt the AMQP {@code timestamp} its publisher set, or {@code null}
 * @param failureKind {@code undecodable}, {@code unverified} or {@code refused}, or
 * {@code null}
 * @param cause the cause the sink recorded, or {@code null}
 * @param replays how often it was replayed so far
 */
public record DeadLetter(long position, String orderId, String messageId, Instant deadLetteredAt, Instant sentAt,
		String failureKind, String cause, int replays) {

	/** The header that counts the replays of a message. */
	public static final String REPLAY_COUNT_HEADER = "x-replay-count";

	/**
	 * The header with the time the sink dead-lettered the message (epoch milliseconds):
	 * Spring's message timestamp, which the sink's republish carries into the AMQP
	 * headers.
	 */
	public static final String DEAD_LETTERED_AT_HEADER = "timestamp";

	/** The headers the sink adds when it dead-letters a message. */
	public static final List<String> FAILURE_HEADERS = DeadLetterPublisher.FAILURE_HEADERS;

	/**
	 * What the commands tell of a message on the dead-letter queue.
	 * @param position its place in the queue, from 1
	 * @param messageId its message id, or {@code null}
	 * @param sentAt the time its publisher set, or {@code null}
	 * @param headers its headers
	 * @return the dead letter
	 */
	public static DeadLetter of(long position, String messageId, Instant sentAt, Map<String, Object> headers) {
		return new DeadLetter(position, orderId(messageId, headers), messageId, deadLetteredAt(headers), sentAt,
				text(headers.get(DeadLetterPublisher.FAILURE_KIND_HEADER)),
				text(headers.get(DeadLetterPublisher.EXCEPTION_MESSAGE_HEADER)), replayCount(headers));
	}

	private static String orderId(String messageId, Map<String, Object> headers) {
		if (messageId == null || headers.containsKey(OrderSignature.HEADER)) {
			return messageId;
		}
		return NewOrder.idForMessage(messageId).toString();
	}

	/**
	 * How often a message was replayed, from its headers.
	 * @param headers the message's headers, or {@code null}
	 * @return the count in {@value #REPLAY_COUNT_HEADER}; 0 if it is missing or not a
	 * number
	 */
	public static int replayCount(Map<String, Object> headers) {
		Object count = (headers != null) ? headers.get(REPLAY_COUNT_HEADER) : null;
		if (count instanceof Number number) {
			return Math.max(0, number.intValue());
		}
		if (count != null) {
			try {
				return Math.max(0, Integer.parseInt(count.toString().trim()));
			}
			catch (NumberFormatException ex) {
				return 0;
			}
		}
		return 0;
	}

	/**
	 * The time of the broker's own dead-lettering ({@code x-death}) when it did it, else
	 * the time the sink dead-lettered the message.
	 */
	private static Instant deadLetteredAt(Map<String, Object> headers) {
		if (headers.get("x-death") instanceof List<?> deaths && !deaths.isEmpty()
				&& deaths.get(0) instanceof Map<?, ?> death && death.get("time") instanceof Date time) {
			return time.toInstant();
		}
		if (headers.get(DEAD_LETTERED_AT_HEADER) instanceof Number epochMillis) {
			return Instant.ofEpochMilli(epochMillis.longValue());
		}
		return null;
	}

	/**
	 * A header's text on one line: header values are written by other programs and could
	 * hold line breaks or terminal control characters.
	 */
	private static String text(Object value) {
		if (value == null) {
			return null;
		}
		StringBuilder text = new StringBuilder();
		value.toString().codePoints().forEach((c) -> text.appendCodePoint(Character.isISOControl(c) ? ' ' : c));
		return text.toString();
	}

}
