package dev.orderpipeline.source.http;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import dev.orderpipeline.contracts.InvalidOrderException;
import dev.orderpipeline.contracts.NewOrder;
import dev.orderpipeline.contracts.OrderConstraints;
import dev.orderpipeline.contracts.OrderPlaced;
import dev.orderpipeline.contracts.OrderStatus;
import dev.orderpipeline.source.intake.FieldError;
import dev.orderpipeline.source.intake.InvalidOrderRequestException;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.exc.StreamConstraintsException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.stereotype.Component;

/**
 * Reads an order body field by field, so that every problem is reported against the field
 * it concerns. Identifiers may be integers, read as their decimal text as the legacy
 * service did.
 */
@Component
class OrderRequestReader {

	private static final String MEDICATION = "medicationId";

	private static final String STATUS = "status";

	private static final Set<String> KNOWN_FIELDS = Set.of(MEDICATION, OrderPlaced.SENDER_FIELD, STATUS);

	private static final String STATUS_VALUES = Arrays.stream(OrderStatus.values())
		.map(Enum::name)
		.collect(Collectors.joining(", "));

	private final ObjectReader reader;

	OrderRequestReader(JsonMapper json) {
		this.reader = json.reader().with(StreamReadFeature.STRICT_DUPLICATE_DETECTION);
	}

	/**
	 * Reads a body.
	 * @param body the request body
	 * @param rejectUnknownFields whether fields other than the order's are an error (the
	 * legacy route ignores them, as the legacy service did)
	 * @return the order
	 * @throws InvalidOrderRequestException naming every field at fault
	 */
	NewOrder read(byte[] body, boolean rejectUnknownFields) {
		JsonNode root = parse(body);
		if (!root.isObject()) {
			throw new InvalidOrderRequestException("body", "must be a JSON object");
		}
		List<FieldError> errors = new ArrayList<>();
		String medicationId = identifier(root, MEDICATION, errors);
		String sender = identifier(root, OrderPlaced.SENDER_FIELD, errors);
		List<OrderStatus> status = status(root.get(STATUS), errors);
		if (rejectUnknownFields) {
			root.propertyNames()
				.stream()
				.filter((name) -> !KNOWN_FIELDS.contains(name))
				.sorted()
				.forEach((name) -> errors.add(new FieldError(name, "is not a field of an order")));
		}
		if (!errors.isEmpty()) {
			throw new InvalidOrderRequestException(errors);
		}
		return new NewOrder(medicationId, sender, status);
	}

	private JsonNode parse(byte[] body) {
		if (body.length == 0) {
			throw new InvalidOrderRequestException("body", "is required");
		}
		String text;
		try {
			// Strict UTF-8 (RFC 8259): the JSON parser reads overlong forms such as C0 AF
			// as characters, a classic way past filters.
			text = StandardCharsets.UTF_8.newDecoder()
				.onMalformedInput(CodingErrorAction.REPORT)
				.onUnmappableCharacter(CodingErrorAction.REPORT)
				.decode(ByteBuffer.wrap(body))
				.toString();
		}
		catch (CharacterCodingException ex) {
			throw new InvalidOrderRequestException("body", "is not valid UTF-8");
		}
		try {
			return this.reader.readTree(text);
		}
		catch (StreamConstraintsException ex) {
			throw new InvalidOrderRequestException("body", "exceeds a JSON limit (nesting, number or string length)");
		}
		catch (JacksonException ex) {
			throw new InvalidOrderRequestException("body", "is not valid JSON (" + ex.getOriginalMessage() + ")");
		}
	}

	private static String identifier(JsonNode root, String field, List<FieldError> errors) {
		JsonNode node = root.get(field);
		if (node == null || node.isNull()) {
			errors.add(new FieldError(field, "is required"));
			return null;
		}
		String value;
		if (node.isString()) {
			value = node.stringValue();
		}
		else if (node.isIntegralNumber()) {
			value = node.bigIntegerValue().toString();
		}
		else {
			errors.add(new FieldError(field, "must be a string"));
			return null;
		}
		return check(errors, () -> OrderConstraints.requireIdentifier(field, value));
	}

	private static List<OrderStatus> status(JsonNode node, List<FieldError> errors) {
		if (node == null || node.isNull()) {
			return OrderConstraints.DEFAULT_STATUS;
		}
		if (!node.isArray()) {
			errors.add(new FieldError(STATUS, "must be an array of " + STATUS_VALUES));
			return null;
		}
		List<OrderStatus> status = new ArrayList<>();
		for (int i = 0; i < node.size(); i++) {
			JsonNode entry = node.get(i);
			OrderStatus value = (entry.isString()) ? parseStatus(entry.stringValue()) : null;
			if (value == null) {
				errors.add(new FieldError(STATUS + "[" + i + "]", "must be one of " + STATUS_VALUES));
			}
			status.add(value);
		}
		if (status.contains(null)) {
			return null;
		}
		return check(errors, () -> OrderConstraints.requireStatus(STATUS, status));
	}

	private static OrderStatus parseStatus(String text) {
		for (OrderStatus status : OrderStatus.values()) {
			if (status.name().equals(text)) {
				return status;
			}
		}
		return null;
	}

	private static <T> T check(List<FieldError> errors, Supplier<T> constraint) {
		try {
			return constraint.get();
		}
		catch (InvalidOrderException ex) {
			errors.add(new FieldError(ex.getField(), ex.getReason()));
			return null;
		}
	}

}
