package dev.orderpipeline.contracts;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Reference messages of the wire format, shipped with the contract so that every producer
 * and consumer can prove it reads and writes them. Each name is a file under
 * {@code dev/orderpipeline/contracts/samples/} on the classpath.
 */
public final class GoldenSamples {

	/** Valid {@link OrderPlaced} messages as order-source publishes them. */
	public static final List<String> ORDER_PLACED = List.of("order-placed-api.json", "order-placed-legacy-http.json",
			"order-placed-history.json", "order-placed-legacy-migration.json");

	/** Valid {@link NewOrder} bodies as legacy clients and publishers send them. */
	public static final List<String> LEGACY_ORDERS = List.of("legacy-order.json", "legacy-order-without-status.json",
			"legacy-order-numeric-ids.json");

	/**
	 * {@link OrderPlaced} messages that break the contract: each is rejected by the
	 * schema and by the record, naming the field given here.
	 */
	public static final List<Broken> BROKEN_ORDER_PLACED = List.of(
			new Broken("missing-medication.json", "medicationId"),
			new Broken("blank-sender.json", OrderPlaced.SENDER_FIELD), new Broken("unknown-status.json", "status"),
			new Broken("empty-status.json", "status"), new Broken("object-medication.json", "medicationId"),
			new Broken("nul-in-medication.json", "medicationId"), new Broken("long-medication.json", "medicationId"),
			new Broken("bad-order-id.json", "orderId"), new Broken("missing-created-at.json", "createdAt"),
			new Broken("unknown-channel.json", "channel"),
			new Broken("bidi-override-in-sender.json", OrderPlaced.SENDER_FIELD),
			new Broken("zero-width-in-medication.json", "medicationId"));

	/**
	 * Valid {@link StatusChangeRequested} messages as order-source publishes them (with
	 * the header {@value OrderEvents#TYPE_HEADER}:
	 * {@value OrderEvents#STATUS_CHANGE_REQUESTED}).
	 */
	public static final List<String> STATUS_CHANGE_REQUESTED = List.of("status-change-approved.json",
			"status-change-cancelled-by-sender.json", "status-change-delivered-by-admin.json");

	/**
	 * {@link StatusChangeRequested} messages that break the contract: each is rejected by
	 * the schema and by the record, naming the field given here.
	 */
	public static final List<Broken> BROKEN_STATUS_CHANGE_REQUESTED = List.of(
			new Broken("status-change-pending.json", "status"),
			new Broken("status-change-zero-version.json", "baseVersion"),
			new Broken("status-change-unknown-role.json", "roles"),
			new Broken("status-change-missing-roles.json", "roles"),
			new Broken("status-change-long-reason.json", "reason"),
			new Broken("status-change-bidi-override-in-reason.json", "reason"),
			new Broken("status-change-carriage-return-in-reason.json", "reason"),
			new Broken("status-change-missing-actor.json", "actor"),
			new Broken("status-change-bad-change-id.json", "changeId"));

	/** Where the {@link OrderPlaced} JSON Schema is on the classpath. */
	public static final String ORDER_PLACED_SCHEMA = "dev/orderpipeline/contracts/order-placed.schema.json";

	/** Where the {@link NewOrder} JSON Schema is on the classpath. */
	public static final String LEGACY_ORDER_SCHEMA = "dev/orderpipeline/contracts/legacy-order.schema.json";

	/** Where the {@link StatusChangeRequested} JSON Schema is on the classpath. */
	public static final String STATUS_CHANGE_REQUESTED_SCHEMA = "dev/orderpipeline/contracts/status-change-requested.schema.json";

	private static final String SAMPLES = "dev/orderpipeline/contracts/samples/";

	private GoldenSamples() {
	}

	/**
	 * The text of a sample.
	 * @param name the sample's file name, as listed in this class
	 * @return its JSON text
	 */
	public static String read(String name) {
		return readResource(SAMPLES + name);
	}

	/**
	 * The text of a broken sample.
	 * @param broken the sample
	 * @return its JSON text
	 */
	public static String read(Broken broken) {
		return readResource(SAMPLES + "broken/" + broken.name());
	}

	/**
	 * The text of a classpath resource of this module.
	 * @param path the resource's path
	 * @return its UTF-8 text
	 */
	public static String readResource(String path) {
		try (InputStream in = GoldenSamples.class.getClassLoader().getResourceAsStream(path)) {
			if (in == null) {
				throw new IllegalArgumentException("No contract resource " + path);
			}
			return new String(in.readAllBytes(), StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * A sample that breaks the contract.
	 *
	 * @param name its file name under {@code samples/broken/}
	 * @param field the field at fault
	 */
	public record Broken(String name, String field) {

		@Override
		public String toString() {
			return this.name;
		}

	}

}
