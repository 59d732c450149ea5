package dev.orderpipeline.sink.api;

import java.net.URI;
import java.util.List;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/**
 * The read API's problems ({@code application/problem+json}), in the form order-source
 * gives them: a type, a title, a detail, and for bad input the field at fault.
 */
final class ReadProblems {

	private ReadProblems() {
	}

	/**
	 * A problem with the request's input.
	 * @param type the problem type's last path segment
	 * @param title the title
	 * @param field the parameter at fault, as the client named it
	 * @param reason what is wrong with it, as a phrase following its name
	 * @return the exception that answers 400
	 */
	static ErrorResponseException invalid(String type, String title, String field, String reason) {
		ErrorResponseException problem = problem(HttpStatus.BAD_REQUEST, type, title, field + " " + reason);
		problem.getBody().setProperty("errors", List.of(new FieldError(field, reason)));
		return problem;
	}

	/**
	 * A problem without a field.
	 * @param status the status
	 * @param type the problem type's last path segment
	 * @param title the title
	 * @param detail the detail
	 * @return the exception that answers with the status
	 */
	static ErrorResponseException problem(HttpStatus status, String type, String title, String detail) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
		problem.setType(URI.create("https://orderpipeline.dev/problems/" + type));
		problem.setTitle(title);
		return new ErrorResponseException(status, problem, null);
	}

	/**
	 * A parameter at fault.
	 *
	 * @param field the parameter
	 * @param message what is wrong with it
	 */
	record FieldError(String field, String message) {
	}

}
