package dev.orderpipeline.source.http;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import dev.orderpipeline.contracts.InvalidOrderException;
import dev.orderpipeline.contracts.NewOrder;
import dev.orderpipeline.contracts.OrderConstraints;
import dev.orderpipeline.contracts.OrderLifecycle;
import dev.orderpipeline.contracts.OrderPlaced;
import dev.orderpipeline.contracts.OrderStatus;
import dev.orderpipeline.contracts.StatusChangeRequested;
import dev.orderpipeline.source.intake.FieldError;
import dev.orderpipeline.source.intake.InvalidOrderRequestException;
import dev.orderpipeline.source.intake.MigrationNotAllowedException;
import dev.orderpipeline.source.intake.OrderIds;
import dev.orderpipeline.source.intake.StatusCommands;
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

	private static final String REASON = "reason";

	private static final String CHANGE_VALUES = Arrays.stream(OrderStatus.values())
		.filter((status) -> status != OrderLifecycle.INITIAL)
		.map(Enum::name)
		.collect(Collectors.joining(", "));

	/**
	 * A streamed order's own idempotency key: one per line, as the header is per request.
	 */
	static final String LINE_KEY = "idempotencyKey";

	private static final Set<String> KNOWN_FIELDS = Set.of(MEDICATION, OrderPlaced.SENDER_FIELD, STATUS);

	private static final Set<String> KNOWN_LINE_FIELDS = Set.of(MEDICATION, OrderPlaced.SENDER_FIELD, STATUS, LINE_KEY);

	/** A migrated order's creation time, as the legacy row holds it. */
	static final String CREATED_AT = "createdAt";

	/** A migrated order's last change, as the legacy row holds it. */
	static final String UPDATED_AT = "updatedAt";

	private static final List<String> MIGRATION_TIMES = List.of(CREATED_AT, UPDATED_AT);

	private static final Set<String> KNOWN_MIGRATION_FIELDS = Set.of(MEDICATION, OrderPlaced.SENDER_FIELD, STATUS,
			LINE_KEY, CREATED_AT, UPDATED_AT);

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
	 * @param apiRoute whether the API route's rules hold: fields other than the order's
	 * are an error, and {@code status} may only be {@code ["PENDING"]}, where every order
	 * starts (the legacy route ignores unknown fields and takes any status list, as the
	 * legacy service did, as a legacy field that never sets the lifecycle)
	 * @return the order
	 * @throws InvalidOrderRequestException naming every field at fault
	 */
	NewOrder read(byte[] body, boolean apiRoute) {
		JsonNode root = parse(body);
		List<FieldError> errors = new ArrayList<>();
		NewOrder order = order(root, apiRoute, apiRoute ? KNOWN_FIELDS : null, errors);
		if (!errors.isEmpty()) {
			throw new InvalidOrderRequestException(errors);
		}
		return order;
	}

	/**
	 * Reads one line of a stream of orders: an order under the API route's rules, with
	 * its own optional {@code idempotencyKey}.
	 * @param line the line, without its end
	 * @return the order and its key
	 * @throws InvalidOrderRequestException naming every field at fault
	 * @throws MigrationNotAllowedException if the line gives a migration's times
	 */
	StreamedOrder readLine(byte[] line) {
		return readLine(line, false);
	}

	/**
	 * Reads one line of a stream of orders.
	 * @param line the line, without its end
	 * @param migration whether the stream migrates the legacy system's stored orders: the
	 * line then gives the legacy row's id as its {@code idempotencyKey} and its
	 * {@code createdAt} (and {@code updatedAt}, if it has one), and its {@code status} is
	 * the legacy list, whatever it holds; otherwise the line is an order under the API
	 * route's rules, with its own optional {@code idempotencyKey}
	 * @return the order, its key and, in a migration, its times
	 * @throws InvalidOrderRequestException naming every field at fault
	 * @throws MigrationNotAllowedException if the line gives a migration's times outside
	 * a migration
	 */
	StreamedOrder readLine(byte[] line, boolean migration) {
		JsonNode root = parse(line);
		if (!migration && root.isObject()) {
			List<String> times = MIGRATION_TIMES.stream().filter(root::has).toList();
			if (!times.isEmpty()) {
				throw new MigrationNotAllowedException(times);
			}
		}
		List<FieldError> errors = new ArrayList<>();
		NewOrder order = order(root, !migration, migration ? KNOWN_MIGRATION_FIELDS : KNOWN_LINE_FIELDS, errors);
		String key = null;
		JsonNode keyNode = root.get(LINE_KEY);
		if (keyNode != null && !keyNode.isNull()) {
			if (keyNode.isString()) {
				try {
					key = OrderIds.requireKey(LINE_KEY, keyNode.stringValue());
				}
				catch (InvalidOrderRequestException ex) {
					errors.addAll(ex.getErrors());
				}
			}
			else {
				errors.add(new FieldError(LINE_KEY, "must be a string"));
			}
		}
		else if (migration) {
			errors.add(new FieldError(LINE_KEY, "is required in a migration: the legacy row's id"));
		}
		Instant createdAt = null;
		Instant updatedAt = null;
		if (migration) {
			createdAt = time(root, CREATED_AT, true, errors);
			updatedAt = time(root, UPDATED_AT, false, errors);
		}
		if (!errors.isEmpty()) {
			throw new InvalidOrderRequestException(errors);
		}
		return new StreamedOrder(order, key, createdAt, updatedAt);
	}

	/**
	 * An order read from a stream.
	 *
	 * @param order the order
	 * @param idempotencyKey its key, or {@code null}; in a migration, the legacy row's id
	 * @param createdAt in a migration, the legacy row's creation time; else {@code null}
	 * @param updatedAt in a migration, the legacy row's last change if it gave one; else
	 * {@code null}
	 */
	record StreamedOrder(NewOrder order, String idempotencyKey, Instant createdAt, Instant updatedAt) {
	}

	private static Instant time(JsonNode root, String field, boolean required, List<FieldError> errors) {
		JsonNode node = root.get(field);
		if (node == null || node.isNull()) {
			if (required) {
				errors.add(new FieldError(field, "is required in a migration: the legacy row's time as stored"));
			}
			return null;
		}
		Instant time = node.isString() ? parseTime(node.stringValue()) : null;
		if (time == null) {
			errors
				.add(new FieldError(field, "must be a time with its offset (RFC 3339), like 2024-03-18T09:41:07.512Z"));
		}
		return time;
	}

	private static Instant parseTime(String text) {
		try {
			return OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
		}
		catch (DateTimeParseException ex) {
			return null;
		}
	}

	private NewOrder order(JsonNode root, boolean apiRoute, Set<String> knownFields, List<FieldError> errors) {
		if (!root.isObject()) {
			throw new InvalidOrderRequestException("body", "must be a JSON object");
		}
		String medicationId = identifier(root, MEDICATION, errors);
		String sender = identifier(root, OrderPlaced.SENDER_FIELD, errors);
		List<OrderStatus> status = status(root.get(STATUS), errors);
		if (apiRoute && status != null && !status.equals(OrderConstraints.DEFAULT_STATUS)) {
			errors.add(new FieldError(STATUS, "must be [\"PENDING\"] or left out: every order starts PENDING, and its "
					+ "status changes through POST /order-commands/{id}/status"));
		}
		if (knownFields != null) {
			root.propertyNames()
				.stream()
				.filter((name) -> !knownFields.contains(name))
				.sorted()
				.forEach((name) -> errors.add(new FieldError(name, "is not a field of an order")));
		}
		return errors.isEmpty() ? new NewOrder(medicationId, sender, status) : null;
	}

	/**
	 * Reads the body of a status change.
	 * @param body the request body
	 * @return what the caller asks
	 * @throws InvalidOrderRequestException naming every field at fault
	 */
	StatusCommands.StatusCommand readStatusCommand(byte[] body) {
		JsonNode root = parse(body);
		if (!root.isObject()) {
			throw new InvalidOrderRequestException("body", "must be a JSON object");
		}
		List<FieldError> errors = new ArrayList<>();
		JsonNode statusNode = root.get(STATUS);
		OrderStatus status = (statusNode != null && statusNode.isString()) ? parseStatus(statusNode.stringValue())
				: null;
		if (status == null || status == OrderLifecycle.INITIAL) {
			errors.add(new FieldError(STATUS, "must be one of " + CHANGE_VALUES));
		}
		String reason = null;
		JsonNode reasonNode = root.get(REASON);
		if (reasonNode != null && !reasonNode.isNull()) {
			if (!reasonNode.isString()) {
				errors.add(new FieldError(REASON, "must be a string"));
			}
			else if (reasonNode.stringValue().length() > StatusChangeRequested.MAX_REASON_LENGTH) {
				errors.add(new FieldError(REASON,
						"must be at most " + StatusChangeRequested.MAX_REASON_LENGTH + " characters"));
			}
			else {
				reason = check(errors, () -> OrderConstraints.requireText(REASON, reasonNode.stringValue()));
			}
		}
		root.propertyNames()
			.stream()
			.filter((name) -> !STATUS.equals(name) && !REASON.equals(name))
			.sorted()
			.forEach((name) -> errors.add(new FieldError(name, "is not a field of a status change")));
		if (!errors.isEmpty()) {
			throw new InvalidOrderRequestException(errors);
		}
		return new StatusCommands.StatusCommand(status, reason);
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
