package dev.orderpipeline.contracts;

/**
 * An order that breaks one of the {@link OrderConstraints}, naming the field at fault.
 */
public class InvalidOrderException extends IllegalArgumentException {

	private final String field;

	private final String reason;

	/**
	 * Creates an exception for one field.
	 * @param field the field's name on the wire
	 * @param reason what is wrong with it, as a phrase following the field's name
	 */
	public InvalidOrderException(String field, String reason) {
		super(field + " " + reason);
		this.field = field;
		this.reason = reason;
	}

	/**
	 * The field's name on the wire.
	 * @return the field
	 */
	public String getField() {
		return this.field;
	}

	/**
	 * What is wrong with the field, as a phrase following its name.
	 * @return the reason
	 */
	public String getReason() {
		return this.reason;
	}

}
