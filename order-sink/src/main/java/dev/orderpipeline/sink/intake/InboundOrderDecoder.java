package dev.orderpipeline.sink.intake;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.Map;
import java.util.UUID;

import dev.orderpipeline.contracts.InvalidOrderException;
import dev.orderpipeline.contracts.LegacyOrder;
import dev.orderpipeline.contracts.OrderChannel;
import dev.orderpipeline.contracts.OrderPlaced;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DatabindException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Turns one message body into an order. Messages of order-source carry the whole
 * {@link OrderPlaced}; legacy publishers send a {@link LegacyOrder} with no id and no
 * time: the id comes from the message id when the publisher set one (so a redelivery is
 * stored once), else it is new, and the time is the message's timestamp or the time of
 * receipt. Never derived from the body: two identical legacy orders are two orders.
 */
class InboundOrderDecoder {

	static final String MESSAGE_ID_HEADER = "amqp_messageId";

	static final String TIMESTAMP_HEADER = "amqp_timestamp";

	private final JsonMapper json;

	private final Clock clock;

	InboundOrderDecoder(JsonMapper json, Clock clock) {
		this.json = json;
		this.clock = clock;
	}

	/**
	 * Decodes one message.
	 * @param body the message body
	 * @param headers the message's headers
	 * @return the order
	 * @throws UndecodableOrderException if the body is not an order
	 */
	OrderPlaced decode(byte[] body, Map<String, Object> headers) {
		try {
			JsonNode tree = this.json.readTree(body);
			if (tree == null || !tree.isObject()) {
				throw new UndecodableOrderException("body is not a JSON object", null);
			}
			if (tree.has("orderId")) {
				return this.json.treeToValue(tree, OrderPlaced.class);
			}
			LegacyOrder legacy = this.json.treeToValue(tree, LegacyOrder.class);
			return legacy.toEvent(legacyId(headers), legacyTime(headers), OrderChannel.LEGACY_QUEUE);
		}
		catch (DatabindException ex) {
			if (ex.getCause() instanceof InvalidOrderException invalid) {
				throw new UndecodableOrderException(invalid.getMessage(), ex);
			}
			throw new UndecodableOrderException(path(ex) + " has an invalid value or type", ex);
		}
		catch (JacksonException ex) {
			throw new UndecodableOrderException("body is not valid JSON" + location(ex), ex);
		}
	}

	private static String location(JacksonException ex) {
		return (ex.getLocation() != null && ex.getLocation().getLineNr() > 0)
				? " (line " + ex.getLocation().getLineNr() + ", column " + ex.getLocation().getColumnNr() + ")" : "";
	}

	private static String path(DatabindException ex) {
		StringBuilder path = new StringBuilder();
		for (JacksonException.Reference reference : ex.getPath()) {
			if (reference.getPropertyName() != null) {
				path.append((path.length() > 0) ? "." : "").append(reference.getPropertyName());
			}
			else if (reference.getIndex() >= 0) {
				path.append('[').append(reference.getIndex()).append(']');
			}
		}
		return (path.length() > 0) ? path.toString() : "body";
	}

	private static UUID legacyId(Map<String, Object> headers) {
		Object messageId = headers.get(MESSAGE_ID_HEADER);
		if (messageId == null || messageId.toString().isEmpty()) {
			return UUID.randomUUID();
		}
		String id = messageId.toString();
		try {
			return UUID.fromString(id);
		}
		catch (IllegalArgumentException ex) {
			return UUID.nameUUIDFromBytes(("order-pipeline/message-id\n" + id).getBytes(StandardCharsets.UTF_8));
		}
	}

	private Instant legacyTime(Map<String, Object> headers) {
		Object timestamp = headers.get(TIMESTAMP_HEADER);
		if (timestamp instanceof Date date) {
			return date.toInstant();
		}
		if (timestamp instanceof Number epochMillis) {
			return Instant.ofEpochMilli(epochMillis.longValue());
		}
		return this.clock.instant().truncatedTo(ChronoUnit.MICROS);
	}

}
