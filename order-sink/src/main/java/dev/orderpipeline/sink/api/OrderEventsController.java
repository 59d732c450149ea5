package dev.orderpipeline.sink.api;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;

import com.fasterxml.jackson.annotation.JsonInclude;

import dev.orderpipeline.sink.api.Readers.Reader;
import dev.orderpipeline.sink.lifecycle.StatusHistory;
import dev.orderpipeline.sink.live.EventLog.Scope;
import dev.orderpipeline.sink.live.EventPosition;
import dev.orderpipeline.sink.live.LiveEvent;
import dev.orderpipeline.sink.live.LiveEvents;
import dev.orderpipeline.sink.live.StreamItem;
import dev.orderpipeline.sink.live.StreamRefusedException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.enums.ParameterIn;
import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Profile;
import org.springframework.core.ResolvableType;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.codec.HttpMessageWriter;
import org.springframework.http.codec.ServerCodecConfigurer;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.http.codec.ServerSentEventHttpMessageWriter;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;

/**
 * Live streams: an order's events, or a sender's, as they commit, as Server-Sent Events
 * or as NDJSON ({@code Accept: application/x-ndjson}). A client resumes after the last id
 * it received ({@code Last-Event-ID}, or the {@code after} parameter) and misses nothing
 * committed meanwhile. Who reads what follows the read API: an order's stream shows its
 * events to the order's sender, pharmacists and administrators (to anyone else it shows
 * nothing, exactly as for an order that has not arrived); a sender's stream is the
 * sender's own, or any sender's to pharmacists and administrators. Served where
 * {@link LiveEvents} runs: the web application, not the dead-letter commands.
 */
@RestController
@Profile("!dead-letters")
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
class OrderEventsController {

	/**
	 * The header that tells nginx (and proxies that follow it) not to buffer a stream.
	 */
	static final String ACCEL_BUFFERING = "X-Accel-Buffering";

	private static final Set<String> PARAMETERS = Set.of("after");

	/** How soon an EventSource reconnects after the stream ends. */
	private static final Duration RECONNECT = Duration.ofSeconds(2);

	private static final String RETRY_AFTER_SECONDS = "5";

	private static final ResolvableType EVENT_TYPE = ResolvableType.forClassWithGenerics(ServerSentEvent.class,
			Line.class);

	private static final String DESCRIPTION = " Server-Sent Events (text/event-stream), or NDJSON when the client "
			+ "asks for application/x-ndjson. Each event has an id: a client resumes after the last id it received "
			+ "(Last-Event-ID, which EventSource sends by itself; or the after parameter) and misses nothing "
			+ "committed meanwhile. The stream starts with an open event and its position, sends a heartbeat "
			+ "every 15 seconds (an SSE comment; an NDJSON heartbeat line with the position), and ends with a "
			+ "closed event and the position to resume from when the sink ends it: it is stopping (shutdown), "
			+ "or the client read slower than events came (overflow).";

	private final LiveEvents live;

	private final Readers readers;

	private final JsonMapper json;

	private final HttpMessageWriter<Object> events;

	@SuppressWarnings("unchecked")
	OrderEventsController(LiveEvents live, Readers readers, JsonMapper json, ServerCodecConfigurer codecs) {
		this.live = live;
		this.readers = readers;
		this.json = json;
		this.events = (HttpMessageWriter<Object>) codecs.getWriters()
			.stream()
			.filter(ServerSentEventHttpMessageWriter.class::isInstance)
			.findFirst()
			.orElseThrow();
	}

	@GetMapping(path = "/orders/{id}/events",
			produces = { MediaType.TEXT_EVENT_STREAM_VALUE, MediaType.APPLICATION_NDJSON_VALUE })
	@Operation(summary = "Follow an order",
			description = "The order stored and each status change decided on it (applied or refused), as they "
					+ "commit; without a position, from the order's first event. An order that has not arrived "
					+ "yet, or is not the caller's to read, shows nothing until it is." + DESCRIPTION)
	@StreamAnswers
	@ApiResponse(responseCode = "400", description = "The id is not a UUID, or the position is not an event id",
			content = @Content(mediaType = MediaType.APPLICATION_PROBLEM_JSON_VALUE))
	@ApiResponse(responseCode = "403",
			description = "Neither scope orders:read nor a pharmacist's or administrator's role",
			content = @Content(mediaType = MediaType.APPLICATION_PROBLEM_JSON_VALUE))
	Mono<Void> orderEvents(@PathVariable String id, ServerWebExchange exchange) {
		UUID orderId = OrderReadController.parse(id);
		Resume after = after(exchange.getRequest());
		return this.readers.current()
			.flatMap(
					(reader) -> open(Scope.order(orderId), reader, (event) -> visible(reader, event), after, exchange));
	}

	@GetMapping(path = "/senders/{sender}/events",
			produces = { MediaType.TEXT_EVENT_STREAM_VALUE, MediaType.APPLICATION_NDJSON_VALUE })
	@Operation(summary = "Follow a sender's orders",
			description = "Each of the sender's orders stored and each status change decided on them, as they "
					+ "commit; without a position, from now. A sender follows its own orders (scope orders:read); "
					+ "pharmacists and administrators anyone's." + DESCRIPTION)
	@StreamAnswers
	@ApiResponse(responseCode = "400", description = "The position is not an event id",
			content = @Content(mediaType = MediaType.APPLICATION_PROBLEM_JSON_VALUE))
	@ApiResponse(responseCode = "403",
			description = "Another sender's stream, to a caller that is neither a pharmacist nor an administrator; "
					+ "or neither scope orders:read nor one of those roles",
			content = @Content(mediaType = MediaType.APPLICATION_PROBLEM_JSON_VALUE))
	Mono<Void> senderEvents(@PathVariable String sender, ServerWebExchange exchange) {
		Resume after = after(exchange.getRequest());
		return this.readers.current()
			.flatMap((reader) -> reader.mayReadOrdersOf(sender)
					? open(Scope.sender(sender), reader, (event) -> true, after, exchange)
					: Mono.error(ReadProblems.notYourOrders("follows")));
	}

	/**
	 * Whether the reader may see an event of an order's stream: the order's sender, or
	 * for a change refused before its order arrived (no sender known), the one who asked.
	 */
	private static boolean visible(Reader reader, LiveEvent event) {
		if (event.sender() != null) {
			return reader.mayReadOrdersOf(event.sender());
		}
		return reader.readsAll() || (reader.name() != null && reader.name().equals(event.change().actor()));
	}

	/**
	 * Opens a stream and writes it, each item flushed as it comes: NDJSON lines written
	 * here, Server-Sent Events by the codecs' writer, which encodes each event on its
	 * own.
	 */
	private Mono<Void> open(Scope scope, Reader reader, Predicate<LiveEvent> visible, Resume after,
			ServerWebExchange exchange) {
		boolean ndjson = ndjson(exchange.getRequest().getHeaders().getAccept());
		String key = (reader.name() != null) ? reader.name() : "";
		return this.live.open(scope, key, visible, (after != null) ? after.position() : null)
			.onErrorMap(StreamRefusedException.class, OrderEventsController::refused)
			.onErrorMap(LiveEvents.PositionAheadException.class,
					(ex) -> invalidPosition(after.field(), "is ahead of every event: use an id this stream sent"))
			.flatMap((items) -> {
				ServerHttpResponse response = exchange.getResponse();
				response.getHeaders().setCacheControl(CacheControl.noStore());
				response.getHeaders().set(ACCEL_BUFFERING, "no");
				if (ndjson) {
					response.getHeaders().setContentType(MediaType.APPLICATION_NDJSON);
					return response.writeAndFlushWith(items.map((item) -> Mono.just(line(item))));
				}
				return this.events.write(items.map(OrderEventsController::event), EVENT_TYPE, EVENT_TYPE,
						MediaType.TEXT_EVENT_STREAM, exchange.getRequest(), response, Map.of());
			});
	}

	/**
	 * NDJSON when the client asks for it and not for Server-Sent Events; otherwise (no
	 * Accept, {@code *}{@code /*}, {@code text/event-stream}) Server-Sent Events.
	 */
	private static boolean ndjson(List<MediaType> accepted) {
		return accepted.stream().anyMatch(MediaType.APPLICATION_NDJSON::equalsTypeAndSubtype)
				&& accepted.stream().noneMatch(MediaType.TEXT_EVENT_STREAM::equalsTypeAndSubtype);
	}

	/**
	 * An NDJSON line, written on its own: the JSON codec's streaming encoder would hold a
	 * generator and its buffers for each open stream as long as it lasts.
	 */
	private DataBuffer line(StreamItem item) {
		byte[] line = this.json.writeValueAsBytes(Line.of(item));
		return DefaultDataBufferFactory.sharedInstance.allocateBuffer(line.length + 1).write(line).write((byte) '\n');
	}

	private static ServerSentEvent<Line> event(StreamItem item) {
		if (item instanceof StreamItem.Heartbeat) {
			return ServerSentEvent.<Line>builder().comment("heartbeat").build();
		}
		Line line = Line.of(item);
		ServerSentEvent.Builder<Line> event = ServerSentEvent.builder(line).event(line.event()).id(line.id());
		return (item instanceof StreamItem.Opened) ? event.retry(RECONNECT).build() : event.build();
	}

	private static Resume after(ServerHttpRequest request) {
		ReadProblems.requireKnown(request.getQueryParams(), PARAMETERS, "invalid-query", "Invalid query",
				"this stream");
		String field = "after";
		String token = request.getQueryParams().getFirst(field);
		if (token == null) {
			field = "Last-Event-ID";
			token = request.getHeaders().getFirst(field);
		}
		if (token == null || token.isEmpty()) {
			return null;
		}
		try {
			return new Resume(EventPosition.parse(token), field);
		}
		catch (IllegalArgumentException ex) {
			throw invalidPosition(field, "must be the id of an event of this stream, such as 7345-12");
		}
	}

	private static ErrorResponseException invalidPosition(String field, String reason) {
		return ReadProblems.invalid("invalid-event-id", "Invalid event id", field, reason);
	}

	/**
	 * Where a client resumes, and how it said so.
	 *
	 * @param position the position
	 * @param field {@code after} or {@code Last-Event-ID}
	 */
	private record Resume(EventPosition position, String field) {
	}

	private static ErrorResponseException refused(StreamRefusedException ex) {
		HttpStatus status = (ex.reason() == StreamRefusedException.Reason.READER) ? HttpStatus.TOO_MANY_REQUESTS
				: HttpStatus.SERVICE_UNAVAILABLE;
		ErrorResponseException problem = ReadProblems.problem(status, "too-many-streams", "Too many live streams",
				ex.reason().detail());
		problem.getHeaders().set(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS);
		return problem;
	}

	/**
	 * What both streams answer, besides their own 400 and 403.
	 */
	@Target(ElementType.METHOD)
	@Retention(RetentionPolicy.RUNTIME)
	@Parameter(name = "Last-Event-ID", in = ParameterIn.HEADER, description = "Resume after this event id")
	@Parameter(name = "after", in = ParameterIn.QUERY, description = "Resume after this event id")
	@ApiResponse(responseCode = "200", description = "The stream",
			content = { @Content(mediaType = MediaType.TEXT_EVENT_STREAM_VALUE),
					@Content(mediaType = MediaType.APPLICATION_NDJSON_VALUE) })
	@ApiResponse(responseCode = "401", description = "No valid bearer token",
			content = @Content(mediaType = MediaType.APPLICATION_PROBLEM_JSON_VALUE))
	@ApiResponse(responseCode = "429", description = "The caller has as many streams open as one caller may",
			headers = @Header(name = HttpHeaders.RETRY_AFTER, description = "Seconds"),
			content = @Content(mediaType = MediaType.APPLICATION_PROBLEM_JSON_VALUE))
	@ApiResponse(responseCode = "503", description = "The sink serves as many streams as it can, or is stopping",
			headers = @Header(name = HttpHeaders.RETRY_AFTER, description = "Seconds"),
			content = @Content(mediaType = MediaType.APPLICATION_PROBLEM_JSON_VALUE))
	@interface StreamAnswers {

	}

	/**
	 * One item of a stream: an NDJSON line, and the data of a Server-Sent Event.
	 *
	 * @param id the position to resume after
	 * @param event {@code open}, {@code order-stored}, {@code status-changed},
	 * {@code heartbeat} or {@code closed}
	 * @param orderId the order, for an order stored or a status change
	 * @param sender the order's sender
	 * @param order the order as stored, for {@code order-stored}
	 * @param change the decision, for {@code status-changed}
	 * @param reason why the sink closed the stream, for {@code closed}
	 */
	@JsonInclude(JsonInclude.Include.NON_NULL)
	record Line(String id, String event, UUID orderId, String sender, LiveEvent.Order order, StatusHistory.Entry change,
			String reason) {

		static Line of(StreamItem item) {
			String id = item.position().toString();
			if (item instanceof StreamItem.Delivered delivered) {
				LiveEvent event = delivered.event();
				return new Line(id, event.type(), event.orderId(), event.sender(), event.order(), event.change(), null);
			}
			if (item instanceof StreamItem.Closed closed) {
				return new Line(id, "closed", null, null, null, null, closed.reason());
			}
			return new Line(id, (item instanceof StreamItem.Opened) ? "open" : "heartbeat", null, null, null, null,
					null);
		}

	}

}
