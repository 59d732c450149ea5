package dev.orderpipeline.sink.api;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import dev.orderpipeline.contracts.InvalidOrderException;
import dev.orderpipeline.contracts.OrderChannel;
import dev.orderpipeline.contracts.OrderConstraints;
import dev.orderpipeline.contracts.OrderStatus;
import dev.orderpipeline.sink.store.OrderPages;
import dev.orderpipeline.sink.store.OrderQuery;
import dev.orderpipeline.sink.store.StoredOrder;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * A sender's orders, newest first, a page at a time. A sender lists its own
 * ({@code orders:read}); pharmacists and administrators list anyone's. Orders placed in a
 * sender's name without a token (the legacy route when anonymous orders are allowed,
 * legacy publishers on the queue) are that sender's orders too: each shows the channel it
 * came through, and {@code channel} selects them or leaves them out.
 */
@RestController
class SenderOrdersController {

	/** Orders on a page unless the client asks for another number. */
	static final int DEFAULT_LIMIT = 50;

	/** Most orders on a page. */
	static final int MAX_LIMIT = 500;

	private static final Set<String> PARAMETERS = Set.of("status", "channel", "since", "limit", "cursor");

	private final OrderPages pages;

	private final Readers readers;

	SenderOrdersController(OrderPages pages, Readers readers) {
		this.pages = pages;
		this.readers = readers;
	}

	@GetMapping(path = "/senders/{sender}/orders", produces = MediaType.APPLICATION_JSON_VALUE)
	@Operation(summary = "List a sender's orders",
			description = "Newest first, by creation time and then order id. A page ends with the cursor of the next "
					+ "one (also in a Link header, rel=next): pages never repeat an order and never skip one stored "
					+ "before the first page was read, while orders keep arriving. A sender lists its own orders "
					+ "(scope orders:read); pharmacists and administrators list anyone's. Orders placed in the "
					+ "sender's name by legacy clients without a token are listed too, each with its channel.")
	@ApiResponse(responseCode = "200", description = "A page of orders",
			headers = @Header(name = HttpHeaders.LINK, description = "The next page, rel=next, when there is one"))
	@ApiResponse(responseCode = "400", description = "A parameter is not valid, or not known; the field names it",
			content = @Content(mediaType = MediaType.APPLICATION_PROBLEM_JSON_VALUE))
	@ApiResponse(responseCode = "401", description = "No valid bearer token",
			content = @Content(mediaType = MediaType.APPLICATION_PROBLEM_JSON_VALUE))
	@ApiResponse(responseCode = "403",
			description = "Another sender's list, to a caller that is neither a pharmacist nor an administrator; "
					+ "or neither scope orders:read nor one of those roles",
			content = @Content(mediaType = MediaType.APPLICATION_PROBLEM_JSON_VALUE))
	Mono<ResponseEntity<OrderList>> orders(
			@Parameter(description = "The sender, percent-encoded") @PathVariable String sender,
			@Parameter(description = "Only orders at this status of their lifecycle") @RequestParam(
					required = false) String status,
			@Parameter(description = "Only orders that came in through this channel: API, LEGACY_HTTP, "
					+ "LEGACY_QUEUE or LEGACY_MIGRATION") @RequestParam(required = false) String channel,
			@Parameter(description = "Only orders created at or after this instant (ISO-8601, UTC: "
					+ "2026-12-01T00:00:00Z)") @RequestParam(required = false) String since,
			@Parameter(description = "Orders on a page: 1 to " + MAX_LIMIT + ", " + DEFAULT_LIMIT
					+ " by default") @RequestParam(required = false) String limit,
			@Parameter(description = "The next cursor of the previous page") @RequestParam(
					required = false) String cursor,
			ServerHttpRequest request) {
		return this.readers.mayReadOrdersOf(sender).flatMap((allowed) -> {
			if (!allowed) {
				return Mono.error(ReadProblems.notYourOrders("lists"));
			}
			OrderQuery query = query(sender, request.getQueryParams(), status, channel, since, limit, cursor);
			return this.pages.find(query).map((page) -> answer(page, request));
		});
	}

	private static OrderQuery query(String sender, MultiValueMap<String, String> parameters, String status,
			String channel, String since, String limit, String cursor) {
		ReadProblems.requireKnown(parameters, PARAMETERS, "invalid-query", "Invalid query", "this list");
		try {
			OrderConstraints.requireIdentifier("sender", sender);
		}
		catch (InvalidOrderException ex) {
			throw invalid(ex.getField(), ex.getReason());
		}
		return new OrderQuery(sender, (status != null) ? value(OrderStatus.class, "status", status) : null,
				(channel != null) ? value(OrderChannel.class, "channel", channel) : null,
				(since != null) ? instant(since) : null, (cursor != null) ? PageCursor.decode(cursor) : null,
				(limit != null) ? limit(limit) : DEFAULT_LIMIT);
	}

	private static <E extends Enum<E>> E value(Class<E> type, String field, String value) {
		try {
			return Enum.valueOf(type, value);
		}
		catch (IllegalArgumentException ex) {
			throw invalid(field, "must be one of " + Arrays.toString(type.getEnumConstants()));
		}
	}

	private static Instant instant(String since) {
		try {
			Instant instant = Instant.parse(since);
			if (PageCursor.inRange(instant)) {
				return instant;
			}
		}
		catch (DateTimeParseException ex) {
			// answered below
		}
		throw invalid("since", "must be an ISO-8601 instant from 1970 to 9999, such as 2026-12-01T00:00:00Z");
	}

	private static int limit(String limit) {
		try {
			int value = Integer.parseInt(limit);
			if (value >= 1 && value <= MAX_LIMIT) {
				return value;
			}
		}
		catch (NumberFormatException ex) {
			// answered below
		}
		throw invalid("limit", "must be a whole number from 1 to " + MAX_LIMIT);
	}

	private static RuntimeException invalid(String field, String reason) {
		return ReadProblems.invalid("invalid-query", "Invalid query", field, reason);
	}

	private static ResponseEntity<OrderList> answer(OrderPages.Page page, ServerHttpRequest request) {
		if (page.next() == null) {
			return ResponseEntity.ok(new OrderList(page.orders(), null));
		}
		String next = PageCursor.encode(page.next());
		String link = UriComponentsBuilder.fromPath(request.getPath().value())
			.query(request.getURI().getRawQuery())
			.replaceQueryParam("cursor", next)
			.build(true)
			.toUriString();
		return ResponseEntity.ok()
			.header(HttpHeaders.LINK, "<" + link + ">; rel=\"next\"")
			.body(new OrderList(page.orders(), next));
	}

	/**
	 * A page of a sender's orders.
	 *
	 * @param orders the orders, newest first
	 * @param next the cursor of the next page, {@code null} on the last one
	 */
	record OrderList(List<StoredOrder> orders, String next) {

	}

}
