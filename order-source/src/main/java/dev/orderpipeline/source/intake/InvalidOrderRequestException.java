package dev.orderpipeline.source.intake;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A request that cannot become an order; answered 400 with every field at fault.
 */
public class InvalidOrderRequestException extends RuntimeException {

	private final List<FieldError> errors;

	public InvalidOrderRequestException(List<FieldError> errors) {
		super(errors.stream().map((error) -> error.field() + " " + error.message()).collect(Collectors.joining("; ")));
		this.errors = List.copyOf(errors);
	}

	public InvalidOrderRequestException(String field, String message) {
		this(List.of(new FieldError(field, message)));
	}

	public List<FieldError> getErrors() {
		return this.errors;
	}

}
