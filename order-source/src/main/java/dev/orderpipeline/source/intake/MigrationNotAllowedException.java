package dev.orderpipeline.source.intake;

import java.util.List;

/**
 * A stream line giving what only a migration of the legacy system's orders gives (its
 * times), from a token without the scope {@code orders:migrate}: answered 403, naming the
 * fields.
 */
public class MigrationNotAllowedException extends RuntimeException {

	private final List<String> fields;

	public MigrationNotAllowedException(List<String> fields) {
		super(String.join(" and ", fields) + " may only be given by a migration of the legacy system's orders, "
				+ "whose token has the scope orders:migrate");
		this.fields = List.copyOf(fields);
	}

	/**
	 * The fields given.
	 * @return their names
	 */
	public List<String> getFields() {
		return this.fields;
	}

}
