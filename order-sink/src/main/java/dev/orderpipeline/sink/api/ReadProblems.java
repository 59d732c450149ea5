package dev.orderpipeline.sink.api;

import java.net.URI;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.util.MultiValueMap;
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
	 * Refuses parameters the route does not know, and parameters given more than once.
	 * @param parameters the request's query parameters
	 * @param known the route's parameters
	 * @param type the problem type's last path segment
	 * @param title the title
	 * @param what what the route serves, for the detail
	 */
	static void requireKnown(MultiValueMap<String, String> parameters, Set<String> known, String type, String title,
			String what) {
		for (var parameter : parameters.entrySet()) {
			if (!known.contains(parameter.getKey())) {
				throw invalid(type, title, parameter.getKey(), "is not a parameter of " + what + ": "
						+ known.stream().sorted().collect(Collectors.joining(", ", "use ", "")));
			}
			if (parameter.getValue().size() > 1) {
				throw invalid(type, title, parameter.getKey(), "must be given once");
			}
		}
	}

	/**
	 * Another sender's orders, to a caller who reads only its own.
	 * @param verb what the route does with them, such as {@code lists}
	 * @return the exception that answers 403
	 */
	static ErrorResponseException notYourOrders(String verb) {
		return problem(HttpStatus.FORBIDDEN, "not-your-orders", "Another sender's orders",
				"Only a pharmacist or an administrator " + verb + " another sender's orders");
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
