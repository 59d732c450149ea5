package dev.orderpipeline.sink.consuming;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.orderpipeline.contracts.InvalidOrderException;
import dev.orderpipeline.contracts.NewOrder;
import dev.orderpipeline.contracts.OrderChannel;
import dev.orderpipeline.contracts.OrderPlaced;
import dev.orderpipeline.contracts.OrderSignature;
import dev.orderpipeline.contracts.StatusChangeRequested;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DatabindException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Turns one message body into an order. Messages of order-source carry the whole
 * {@link OrderPlaced} and its {@link OrderSignature}; legacy publishers send a
 * {@link NewOrder} with no id and no time. The rule: a message that carries a signature,
 * or any field only order-source sets ({@code orderId}, {@code createdAt},
 * {@code updatedAt}, {@code channel}), must verify, or it is refused as unverified; a
 * legacy-shaped body stays a legacy order, whose id is derived from the message id when
 * the publisher set one (so a redelivery is stored once; see
 * {@link NewOrder#idForMessage}), else new, and whose time is the message's timestamp or
 * the time of receipt. Never derived from the body: two identical legacy orders are two
 * orders.
 */
class InboundOrderDecoder {

	private static final List<String> SOURCE_FIELDS = List.of("orderId", "createdAt", "updatedAt", "channel");

	private final JsonMapper json;

	private final Clock clock;

	private final OrderSignature signature;

	private final ReceivedMessages messages;

	private final Instant acceptUnsignedUntil;

	/**
	 * Creates a decoder.
	 * @param json reads bodies
	 * @param clock the time of receipt
	 * @param signature verifies order-source's messages
	 * @param messages reads a legacy message's id and time from its headers
	 * @param acceptUnsignedUntil until when an unsigned message with order-source's
	 * fields is still taken as it is (those queued by a version that did not sign), or
	 * {@code null} for never
	 */
	InboundOrderDecoder(JsonMapper json, Clock clock, OrderSignature signature, ReceivedMessages messages,
			Instant acceptUnsignedUntil) {
		this.json = json;
		this.clock = clock;
		this.signature = signature;
		this.messages = messages;
		this.acceptUnsignedUntil = acceptUnsignedUntil;
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
			Object signed = headers.get(OrderSignature.HEADER);
			if (signed != null) {
				String unverified = this.signature.verify(signed, body);
				if (unverified != null) {
					throw new UnverifiedOrderException(unverified);
				}
				return this.json.treeToValue(tree, OrderPlaced.class);
			}
			String sourceField = SOURCE_FIELDS.stream().filter(tree::has).findFirst().orElse(null);
			if (sourceField != null) {
				if (this.acceptUnsignedUntil == null || !this.clock.instant().isBefore(this.acceptUnsignedUntil)) {
					throw new UnverifiedOrderException("the message carries " + sourceField + " without a signature");
				}
				return this.json.treeToValue(tree, OrderPlaced.class);
			}
			NewOrder legacy = this.json.treeToValue(tree, NewOrder.class);
			return legacy.toEvent(legacyId(headers), legacyTime(headers), OrderChannel.LEGACY_QUEUE);
		}
		catch (JacksonException ex) {
			throw undecodable(ex);
		}
	}

	/**
	 * Decodes a status change request: only order-source publishes them, so it must carry
	 * a signature that verifies.
	 * @param body the message body
	 * @param headers the message's headers
	 * @return the request
	 * @throws UndecodableOrderException if the body is not a status change request, or
	 * {@link UnverifiedOrderException} if it is not signed by a key the sink holds
	 */
	StatusChangeRequested decodeChange(byte[] body, Map<String, Object> headers) {
		Object signed = headers.get(OrderSignature.HEADER);
		if (signed == null) {
			throw new UnverifiedOrderException("the status change carries no signature");
		}
		String unverified = this.signature.verify(signed, body);
		if (unverified != null) {
			throw new UnverifiedOrderException(unverified);
		}
		try {
			return this.json.readValue(body, StatusChangeRequested.class);
		}
		catch (JacksonException ex) {
			throw undecodable(ex);
		}
	}

	/**
	 * Why a body could not be read: the field at fault, or where the JSON breaks.
	 */
	private static UndecodableOrderException undecodable(JacksonException ex) {
		if (ex instanceof DatabindException databind) {
			if (databind.getCause() instanceof InvalidOrderException invalid) {
				return new UndecodableOrderException(invalid.getMessage(), ex);
			}
			return new UndecodableOrderException(path(databind) + " has an invalid value or type", ex);
		}
		return new UndecodableOrderException("body is not valid JSON" + location(ex), ex);
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

	private UUID legacyId(Map<String, Object> headers) {
		String messageId = this.messages.messageId(headers);
		return (messageId != null) ? NewOrder.idForMessage(messageId) : UUID.randomUUID();
	}

	private Instant legacyTime(Map<String, Object> headers) {
		Instant publishedAt = this.messages.publishedAt(headers);
		return (publishedAt != null) ? publishedAt : this.clock.instant().truncatedTo(ChronoUnit.MICROS);
	}

}
