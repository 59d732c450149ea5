package dev.orderpipeline.source.http;

import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.orderpipeline.contracts.OrderChannel;
import dev.orderpipeline.security.Caller;
import dev.orderpipeline.security.OrderAuthorities;
import dev.orderpipeline.source.OrderSourceProperties;
import dev.orderpipeline.source.intake.InvalidOrderRequestException;
import dev.orderpipeline.source.intake.MigrationNotAllowedException;
import dev.orderpipeline.source.intake.MigrationOffException;
import dev.orderpipeline.source.intake.OrderIds;
import dev.orderpipeline.source.intake.OrderIntake;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;

/**
 * A stream of orders on {@code POST /orders}: one order per line
 * ({@code application/x-ndjson}), answered with one result line per order as soon as the
 * broker confirmed it or it was refused, under every rule of a single order. The
 * per-request costs (token, security chain, routing) are paid once per stream.
 * <p>
 * The body is read as orders are answered: at most
 * {@code orders.source.stream.max-in-flight} of one stream wait for the broker, so a
 * client sending faster than the broker confirms is slowed down. Results are held until
 * the client reads them, at most one per line of the stream's
 * {@code orders.source.stream.max-lines}: a client that reads nothing before it has sent
 * everything (curl, most HTTP/1.1 clients, proxies that buffer request bodies) never
 * stops the stream.
 * <p>
 * A token with the scope {@code orders:migrate} migrates the legacy system's stored
 * orders, while {@code orders.source.migration-enabled} is on: each line names any sender
 * and gives the legacy row's id (as its {@code idempotencyKey}) and times, and is stored
 * on the channel {@code LEGACY_MIGRATION}. Every such stream is logged, with its caller
 * and counts; the times from any other token are refused (403).
 */
@RestController
class OrderStreamController {

	private static final Log logger = LogFactory.getLog(OrderStreamController.class);

	private static final String NDJSON = MediaType.APPLICATION_NDJSON_VALUE;

	private final OrderRequestReader reader;

	private final OrderIntake intake;

	private final OrderProblemHandler problems;

	private final StreamSlots slots;

	private final JsonMapper json;

	private final String storedOrders;

	private final int maxLineSize;

	private final int maxLines;

	private final int maxInFlight;

	private final boolean migrationEnabled;

	OrderStreamController(OrderRequestReader reader, OrderIntake intake, JsonBodies bodies,
			OrderProblemHandler problems, JsonMapper json, OrderSourceProperties properties) {
		this.reader = reader;
		this.intake = intake;
		this.problems = problems;
		this.slots = new StreamSlots(properties);
		this.json = json;
		this.storedOrders = bodies.storedOrders();
		this.maxLineSize = Math.toIntExact(properties.maxBodySize().toBytes());
		this.maxLines = properties.stream().maxLines();
		this.maxInFlight = properties.stream().maxInFlight();
		this.migrationEnabled = properties.migrationEnabled();
		if (this.migrationEnabled) {
			logger.warn("MIGRATION IS ON (orders.source.migration-enabled=true): streams under the scope "
					+ "orders:migrate place orders in any sender's name with the times they give; "
					+ "turn it off once the migration is done");
		}
	}

	// Documented with the single-order operation of the same route, in OrderController:
	// OpenAPI has one operation per method and path.
	@PostMapping(path = "/orders", consumes = NDJSON)
	@Operation(hidden = true)
	Mono<Void> placeAll(ServerWebExchange exchange,
			@RequestHeader(name = OrderIds.IDEMPOTENCY_KEY, required = false) String idempotencyKey) {
		if (idempotencyKey != null) {
			return Mono.error(new InvalidOrderRequestException(OrderIds.IDEMPOTENCY_KEY,
					"is not taken by a stream: give each line its own " + OrderRequestReader.LINE_KEY));
		}
		ServerHttpResponse response = exchange.getResponse();
		return Caller.current().flatMap((caller) -> {
			String name = caller.map(Authentication::getName).orElse("");
			StreamMode mode = StreamMode.of(caller);
			if (mode.migration() && !this.migrationEnabled) {
				logger.warn("Migration stream by " + name + " refused: migration is off");
				return Mono.error(new MigrationOffException());
			}
			Runnable slot = this.slots.take(name);
			Counts counts = new Counts();
			long started = System.nanoTime();
			if (mode.migration()) {
				logger.info("Migration stream opened by " + name);
			}
			response.setStatusCode(HttpStatus.OK);
			response.getHeaders().setContentType(MediaType.APPLICATION_NDJSON);
			// Audited from the results themselves: once the last one is counted, or the
			// stream was cut off.
			return response
				.writeWith(results(exchange.getRequest(), caller.map(Authentication::getName), mode, counts).doFinally(
						(signal) -> audit(name, mode, counts, signal, Duration.ofNanos(System.nanoTime() - started)))
					.map((line) -> response.bufferFactory().wrap(line)))
				.doFinally((signal) -> slot.run());
		});
	}

	private Flux<byte[]> results(ServerHttpRequest request, Optional<String> caller, StreamMode mode, Counts counts) {
		AtomicBoolean limitAnswered = new AtomicBoolean();
		// Past the most lines the body is still read, so that a client still sending is
		// not cut off before it reads its answers, but only up to what the most lines of
		// the largest size would be (and no more than 2 GB, so line numbers stay ints).
		long budget = Math.min((long) this.maxLines * (this.maxLineSize + 2), Integer.MAX_VALUE);
		return NdjsonLines.split(request.getBody(), this.maxLineSize, budget)
			.flatMap((line) -> answer(line, limitAnswered, caller, mode, counts), this.maxInFlight)
			.doOnNext(counts::count)
			.map(this::write)
			.concatWith(Mono.fromSupplier(() -> write(counts.summary())))
			// What the client has not read yet: at most a result per line. Reading
			// goes on while results cannot be written, so a client that reads only
			// once it has sent everything never waits on a server waiting on it.
			.onBackpressureBuffer(this.maxLines + 2);
	}

	private Mono<LineResult> answer(NdjsonLines.Line line, AtomicBoolean limitAnswered, Optional<String> caller,
			StreamMode mode, Counts counts) {
		if (line.number() > this.maxLines || line.overBudget()) {
			// The first line past the limit is answered; those after it are not.
			return limitAnswered.compareAndSet(false, true)
					? Mono.just(rejected(line.number(), new TooManyLinesException(this.maxLines))) : Mono.empty();
		}
		if (line.tooLong()) {
			return Mono.just(rejected(line.number(), new BodyTooLargeException(this.maxLineSize)));
		}
		return Mono.defer(() -> {
			OrderRequestReader.StreamedOrder streamed = this.reader.readLine(line.bytes(), mode.migration());
			if (mode.migration()) {
				return this.intake.migrate(streamed.order(), caller.orElseThrow(), streamed.idempotencyKey(),
						streamed.createdAt(), streamed.updatedAt());
			}
			return this.intake.place(streamed.order(), caller, streamed.idempotencyKey(), OrderChannel.API,
					mode.allowance());
		}).map((order) -> {
			URI location = URI.create(this.storedOrders + order.orderId());
			return new LineResult(line.number(), LineResult.ACCEPTED, order.orderId(), location, null);
		}).onErrorResume((ex) -> {
			if (ex instanceof MigrationNotAllowedException) {
				counts.refusedMigration.incrementAndGet();
			}
			return Mono.just(rejected(line.number(), ex));
		});
	}

	/**
	 * Logs every migration stream, and every stream that tried to give a migration's
	 * times without the scope: who, when (the log's time), how many and how long.
	 */
	private static void audit(String caller, StreamMode mode, Counts counts, SignalType signal, Duration took) {
		StreamSummary summary = counts.summary();
		String ending = (signal == SignalType.ON_COMPLETE) ? "ended" : "was cut off (" + signal + ")";
		if (mode.migration()) {
			logger.info("Migration stream by " + caller + " " + ending + " after " + took.toMillis() + " ms: "
					+ summary.orders() + " orders, " + summary.accepted() + " accepted, " + summary.rejected()
					+ " rejected");
		}
		else if (counts.refusedMigration.get() > 0) {
			logger.warn("Stream by " + caller + " gave a migration's times on " + counts.refusedMigration.get()
					+ " lines without the scope orders:migrate: refused");
		}
	}

	private LineResult rejected(int line, Throwable ex) {
		ResponseEntity<ProblemDetail> answer = this.problems.answer(ex, "an order in a stream");
		ProblemDetail detail = answer.getBody();
		Map<String, Object> problem = new LinkedHashMap<>();
		problem.put("type", detail.getType());
		problem.put("title", detail.getTitle());
		problem.put("status", detail.getStatus());
		problem.put("detail", detail.getDetail());
		if (detail.getProperties() != null) {
			problem.putAll(detail.getProperties());
		}
		String retryAfter = answer.getHeaders().getFirst(HttpHeaders.RETRY_AFTER);
		if (retryAfter != null) {
			problem.put("retryAfter", Long.parseLong(retryAfter));
		}
		return new LineResult(line, LineResult.REJECTED, null, null, problem);
	}

	private byte[] write(Object result) {
		byte[] json = this.json.writeValueAsBytes(result);
		byte[] line = Arrays.copyOf(json, json.length + 1);
		line[json.length] = '\n';
		return line;
	}

	/**
	 * What a stream's token makes of its lines.
	 *
	 * @param allowance the allowance its orders count against
	 * @param migration whether its lines migrate the legacy system's orders (scope
	 * {@code orders:migrate})
	 */
	private record StreamMode(OrderIntake.Allowance allowance, boolean migration) {

		static StreamMode of(Optional<Authentication> caller) {
			Set<String> authorities = caller.stream()
				.flatMap((authentication) -> authentication.getAuthorities().stream())
				.map(GrantedAuthority::getAuthority)
				.collect(Collectors.toSet());
			return new StreamMode(authorities.contains(OrderAuthorities.BULK) ? OrderIntake.Allowance.BULK
					: OrderIntake.Allowance.SENDER, authorities.contains(OrderAuthorities.MIGRATE));
		}

	}

	/** The counts of one stream, for its summary. */
	private static final class Counts {

		private final AtomicInteger accepted = new AtomicInteger();

		private final AtomicInteger rejected = new AtomicInteger();

		/** Lines refused for giving a migration's times without the scope. */
		private final AtomicInteger refusedMigration = new AtomicInteger();

		void count(LineResult result) {
			(LineResult.ACCEPTED.equals(result.result()) ? this.accepted : this.rejected).incrementAndGet();
		}

		StreamSummary summary() {
			int accepted = this.accepted.get();
			int rejected = this.rejected.get();
			return new StreamSummary(StreamSummary.DONE, accepted + rejected, accepted, rejected);
		}

	}

	/**
	 * The answer to one line.
	 *
	 * @param line the line's number, from 1 (blank lines count)
	 * @param result {@code accepted} or {@code rejected}
	 * @param orderId the order's id, once accepted
	 * @param location where the read API serves the order, once accepted
	 * @param problem why not: the single-order route's problem details, with
	 * {@code retryAfter} in seconds where that route answers {@code Retry-After}
	 */
	@JsonInclude(JsonInclude.Include.NON_NULL)
	@JsonPropertyOrder({ "line", "result", "orderId", "location", "problem" })
	record LineResult(int line, String result, UUID orderId, URI location, Map<String, Object> problem) {

		static final String ACCEPTED = "accepted";

		static final String REJECTED = "rejected";

	}

	/**
	 * The last line of a stream's answer: every line before it was answered.
	 *
	 * @param result {@code done}
	 * @param orders the orders answered
	 * @param accepted how many were accepted
	 * @param rejected how many were rejected
	 */
	@JsonPropertyOrder({ "result", "orders", "accepted", "rejected" })
	record StreamSummary(String result, int orders, int accepted, int rejected) {

		static final String DONE = "done";

	}

	/**
	 * One line of a stream: an order as {@code POST /orders} takes it, with its own
	 * optional idempotency key.
	 *
	 * @param medicationId the medication
	 * @param senderUserId the sender: the token's subject
	 * @param status {@code ["PENDING"]} or left out
	 * @param idempotencyKey the order's idempotency key, as the {@code Idempotency-Key}
	 * of a single order; in a migration, the legacy row's id (required)
	 * @param createdAt in a migration only: the legacy row's creation time (required)
	 * @param updatedAt in a migration only: the legacy row's last change
	 */
	@Schema(name = "StreamedOrder")
	record StreamedOrderLine(@Schema(requiredMode = Schema.RequiredMode.REQUIRED) String medicationId,
			@JsonProperty("sender_userId") @Schema(requiredMode = Schema.RequiredMode.REQUIRED) String senderUserId,
			List<String> status, String idempotencyKey,
			@Schema(description = "Only under the scope orders:migrate, and then required: the legacy row's "
					+ "creation time (RFC 3339)", format = "date-time") String createdAt,
			@Schema(description = "Only under the scope orders:migrate: the legacy row's last change (RFC 3339)",
					format = "date-time") String updatedAt) {

	}

}
