package dev.orderpipeline.source.http;

import java.net.URI;
import java.util.List;

import dev.orderpipeline.source.OrderSourceProperties;
import dev.orderpipeline.source.intake.ChangeNotAllowedException;
import dev.orderpipeline.source.intake.FieldError;
import dev.orderpipeline.source.intake.InvalidOrderRequestException;
import dev.orderpipeline.source.intake.MigrationNotAllowedException;
import dev.orderpipeline.source.intake.MigrationOffException;
import dev.orderpipeline.source.intake.OrderMetrics;
import dev.orderpipeline.source.intake.PreconditionRequiredException;
import dev.orderpipeline.source.intake.RateLimitedException;
import dev.orderpipeline.source.intake.SenderMismatchException;
import dev.orderpipeline.source.publishing.PublishFailedException;
import io.netty.handler.timeout.ReadTimeoutException;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.reactive.result.method.annotation.ResponseEntityExceptionHandler;
import org.springframework.web.server.ServerWebExchange;

/**
 * Turns every failure into {@code application/problem+json}: the field at fault for bad
 * input, the order id and {@code Retry-After} when the broker did not confirm, and never
 * internal detail.
 */
@RestControllerAdvice
class OrderProblemHandler extends ResponseEntityExceptionHandler {

	private static final Log logger = LogFactory.getLog(OrderProblemHandler.class);

	private final OrderSourceProperties properties;

	private final OrderMetrics metrics;

	OrderProblemHandler(OrderSourceProperties properties, OrderMetrics metrics) {
		this.properties = properties;
		this.metrics = metrics;
	}

	@ExceptionHandler
	ResponseEntity<ProblemDetail> invalidOrder(InvalidOrderRequestException ex) {
		this.metrics.rejected("INVALID");
		return fieldProblem(HttpStatus.BAD_REQUEST, "invalid-order", "Invalid order", ex.getMessage(), ex.getErrors());
	}

	@ExceptionHandler
	ResponseEntity<ProblemDetail> bodyTooLarge(BodyTooLargeException ex) {
		this.metrics.rejected("BODY_TOO_LARGE");
		return fieldProblem(HttpStatus.CONTENT_TOO_LARGE, "body-too-large", "Body too large", ex.getMessage(),
				List.of(new FieldError("body", ex.getMessage().substring("body ".length()))));
	}

	/**
	 * A client that stopped sending its body for longer than
	 * {@code orders.source.read-timeout}: the connection is closed after this answer.
	 */
	@ExceptionHandler
	ResponseEntity<ProblemDetail> readTimeout(ReadTimeoutException ex) {
		this.metrics.rejected("READ_TIMEOUT");
		return fieldProblem(HttpStatus.REQUEST_TIMEOUT, "request-timeout", "Request body not sent in time",
				"The request's body stopped coming for longer than orders.source.read-timeout",
				List.of(new FieldError("body", "must keep coming until it ends")));
	}

	@ExceptionHandler
	ResponseEntity<ProblemDetail> unsupportedContentType(UnsupportedContentTypeException ex) {
		this.metrics.rejected("UNSUPPORTED_CONTENT_TYPE");
		return fieldProblem(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported-content-type", "Unsupported content type",
				ex.getMessage(), List.of(new FieldError(HttpHeaders.CONTENT_TYPE, "must be application/json")));
	}

	@ExceptionHandler
	ResponseEntity<ProblemDetail> senderMismatch(SenderMismatchException ex) {
		this.metrics.rejected("SENDER_MISMATCH");
		return fieldProblem(HttpStatus.FORBIDDEN, "sender-mismatch", "Order in another sender's name", ex.getMessage(),
				List.of(new FieldError("sender_userId", "must be the token's subject")));
	}

	@ExceptionHandler
	ResponseEntity<ProblemDetail> migrationNotAllowed(MigrationNotAllowedException ex) {
		this.metrics.rejected("MIGRATION_NOT_ALLOWED");
		return fieldProblem(HttpStatus.FORBIDDEN, "migration-not-allowed", "Only a migration gives this",
				ex.getMessage(),
				ex.getFields()
					.stream()
					.map((field) -> new FieldError(field, "needs a token with the scope orders:migrate"))
					.toList());
	}

	@ExceptionHandler
	ResponseEntity<ProblemDetail> migrationOff(MigrationOffException ex) {
		this.metrics.rejected("MIGRATION_OFF");
		return ResponseEntity.status(HttpStatus.FORBIDDEN)
			.body(problem(HttpStatus.FORBIDDEN, "migration-off", "Migration is off", ex.getMessage()));
	}

	@ExceptionHandler
	ResponseEntity<ProblemDetail> preconditionRequired(PreconditionRequiredException ex) {
		this.metrics.rejected("PRECONDITION_REQUIRED");
		return fieldProblem(HttpStatus.PRECONDITION_REQUIRED, "if-match-required", "If-Match required", ex.getMessage(),
				List.of(new FieldError(HttpHeaders.IF_MATCH, "is required")));
	}

	@ExceptionHandler
	ResponseEntity<ProblemDetail> changeNotAllowed(ChangeNotAllowedException ex) {
		this.metrics.rejected("CHANGE_NOT_ALLOWED");
		return fieldProblem(HttpStatus.FORBIDDEN, "change-not-allowed", "Status change not allowed", ex.getMessage(),
				List.of(new FieldError("status", "is not a change the token may make")));
	}

	@ExceptionHandler
	ResponseEntity<ProblemDetail> rateLimited(RateLimitedException ex) {
		this.metrics.rejected("RATE_LIMITED");
		long seconds = Math.max(1, (ex.getRetryAfter().toMillis() + 999) / 1000);
		ProblemDetail problem = problem(HttpStatus.TOO_MANY_REQUESTS, "rate-limited", "Too many orders",
				ex.getMessage() + "; retry in " + seconds + " s");
		return ResponseEntity.status(HttpStatus.TOO_MANY_REQUESTS)
			.header(HttpHeaders.RETRY_AFTER, String.valueOf(seconds))
			.body(problem);
	}

	@ExceptionHandler
	ResponseEntity<ProblemDetail> publishFailed(PublishFailedException ex) {
		this.metrics.rejected(ex.getReason().name());
		ProblemDetail problem = problem(HttpStatus.SERVICE_UNAVAILABLE, "order-not-confirmed",
				"Order not confirmed by the broker",
				ex.getMessage() + ". Retry with the same Idempotency-Key: the order is stored at most once.");
		problem.setProperty("orderId", ex.getOrderId());
		problem.setProperty("reason", ex.getReason());
		return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
			.header(HttpHeaders.RETRY_AFTER, String.valueOf(Math.max(1, this.properties.retryAfter().toSeconds())))
			.body(problem);
	}

	@ExceptionHandler
	ResponseEntity<ProblemDetail> tooManyLines(TooManyLinesException ex) {
		this.metrics.rejected("TOO_MANY_LINES");
		return fieldProblem(HttpStatus.CONTENT_TOO_LARGE, "too-many-lines", "Too many orders in one stream",
				ex.getMessage(), List.of(new FieldError("body", "must have at most " + ex.getMaxLines() + " lines")));
	}

	@ExceptionHandler
	ResponseEntity<ProblemDetail> tooManyStreams(TooManyStreamsException ex) {
		this.metrics.rejected("TOO_MANY_STREAMS");
		HttpStatus status = ex.isPerCaller() ? HttpStatus.TOO_MANY_REQUESTS : HttpStatus.SERVICE_UNAVAILABLE;
		return ResponseEntity.status(status)
			.header(HttpHeaders.RETRY_AFTER, String.valueOf(Math.max(1, this.properties.retryAfter().toSeconds())))
			.body(problem(status, "too-many-streams", "Too many streams of orders", ex.getMessage()));
	}

	@ExceptionHandler
	Mono<ResponseEntity<Object>> unexpected(Exception ex, ServerWebExchange exchange) {
		logger.error(
				"Unexpected failure of " + exchange.getRequest().getMethod() + " " + exchange.getRequest().getPath(),
				ex);
		return Mono.just(ResponseEntity.internalServerError().body(internalError()));
	}

	/**
	 * The answer to a failure, as the handlers above give it, for a request or an order
	 * served outside the annotated dispatch.
	 * @param ex why the order was not accepted
	 * @param what what failed, for the log when the failure is unexpected
	 * @return the status, the headers and the problem
	 */
	ResponseEntity<ProblemDetail> answer(Throwable ex, String what) {
		if (ex instanceof InvalidOrderRequestException invalid) {
			return invalidOrder(invalid);
		}
		if (ex instanceof BodyTooLargeException tooLarge) {
			return bodyTooLarge(tooLarge);
		}
		if (ex instanceof UnsupportedContentTypeException unsupported) {
			return unsupportedContentType(unsupported);
		}
		if (ex instanceof ReadTimeoutException timeout) {
			return readTimeout(timeout);
		}
		if (ex instanceof SenderMismatchException mismatch) {
			return senderMismatch(mismatch);
		}
		if (ex instanceof MigrationNotAllowedException notMigration) {
			return migrationNotAllowed(notMigration);
		}
		if (ex instanceof MigrationOffException off) {
			return migrationOff(off);
		}
		if (ex instanceof PreconditionRequiredException precondition) {
			return preconditionRequired(precondition);
		}
		if (ex instanceof ChangeNotAllowedException notAllowed) {
			return changeNotAllowed(notAllowed);
		}
		if (ex instanceof RateLimitedException limited) {
			return rateLimited(limited);
		}
		if (ex instanceof PublishFailedException failed) {
			return publishFailed(failed);
		}
		if (ex instanceof TooManyLinesException tooMany) {
			return tooManyLines(tooMany);
		}
		if (ex instanceof TooManyStreamsException tooManyStreams) {
			return tooManyStreams(tooManyStreams);
		}
		logger.error("Unexpected failure of " + what, ex);
		return ResponseEntity.internalServerError().body(internalError());
	}

	private static ProblemDetail internalError() {
		return problem(HttpStatus.INTERNAL_SERVER_ERROR, "internal-error", "Internal error",
				"The order was not accepted. Retry with the same Idempotency-Key.");
	}

	private static ResponseEntity<ProblemDetail> fieldProblem(HttpStatus status, String type, String title,
			String detail, List<FieldError> errors) {
		ProblemDetail problem = problem(status, type, title, detail);
		problem.setProperty("errors", errors);
		return ResponseEntity.status(status).body(problem);
	}

	private static ProblemDetail problem(HttpStatus status, String type, String title, String detail) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
		problem.setType(URI.create("https://orderpipeline.dev/problems/" + type));
		problem.setTitle(title);
		return problem;
	}

}
