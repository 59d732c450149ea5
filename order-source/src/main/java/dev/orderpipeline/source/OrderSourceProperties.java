package dev.orderpipeline.source;

import java.net.URI;
import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Settings of the order intake.
 *
 * @param binding the output binding orders are published through; its destination is set
 * under {@code spring.cloud.stream.bindings}. Default {@code orders-out-0}.
 * @param readApiBaseUrl base URL of the read API that serves stored orders, used in the
 * {@code Location} of accepted orders. Default {@code http://localhost:8001}.
 * @param confirmTimeout how long to wait for the broker to confirm a publish before
 * answering 503. Default 5 seconds.
 * @param maxInFlight most publishes waiting for their confirm at once; further orders are
 * answered 503 at once. Default 512.
 * @param maxBodySize largest accepted request body. Default 16KB.
 * @param retryAfter the {@code Retry-After} given with a 503. Default 5 seconds.
 * @param allowAnonymousLegacyOrders whether {@code POST /queue/neworder} serves legacy
 * clients that send no token (the body's sender is then trusted). Logged as a warning at
 * start. Default {@code false}.
 * @param rateLimit the limit of orders per sender
 * @param stream the limits of a stream of orders ({@code POST /orders} with
 * {@code application/x-ndjson})
 * @param readTimeout longest pause between two reads of a request's body: a client that
 * stops sending in the middle of a request, or of a stream, is disconnected (and its
 * stream's place freed). Longer than {@code confirmTimeout}, because a stream's body is
 * not read while its orders wait for the broker. Default 30 seconds.
 * @param migrationEnabled whether streams under the scope {@code orders:migrate} migrate
 * the legacy system's stored orders (any sender, the legacy times): on for the migration
 * window only, so that the scope granted by mistake lets no one act for every sender.
 * Logged as a warning at start when on. Default {@code false}.
 */
@ConfigurationProperties("orders.source")
public record OrderSourceProperties(@DefaultValue("orders-out-0") String binding,
		@DefaultValue("http://localhost:8001") URI readApiBaseUrl, @DefaultValue("5s") Duration confirmTimeout,
		@DefaultValue("512") int maxInFlight, @DefaultValue("16KB") DataSize maxBodySize,
		@DefaultValue("5s") Duration retryAfter, @DefaultValue("false") boolean allowAnonymousLegacyOrders,
		@DefaultValue RateLimit rateLimit, @DefaultValue Stream stream, @DefaultValue("30s") Duration readTimeout,
		@DefaultValue("false") boolean migrationEnabled) {

	public OrderSourceProperties {
		if (stream.maxLines() < 1 || stream.maxLines() > 1_000_000 || stream.maxInFlight() < 1
				|| stream.maxStreams() < 1 || stream.maxStreamsPerCaller() < 1) {
			throw new IllegalArgumentException("orders.source.stream.max-lines must be 1 to 1000000, and "
					+ ".max-in-flight, .max-streams and .max-streams-per-caller at least 1");
		}
		if (readTimeout.compareTo(confirmTimeout) <= 0) {
			throw new IllegalArgumentException("orders.source.read-timeout must be longer than "
					+ "orders.source.confirm-timeout: a stream's body is not read while its orders wait for the broker");
		}
		if (readApiBaseUrl.getRawQuery() != null || readApiBaseUrl.getRawFragment() != null) {
			throw new IllegalArgumentException("orders.source.read-api-base-url must have no query or fragment: "
					+ "the order's path is appended to it");
		}
	}

	/**
	 * The limit of orders one sender may place, held by each instance on its own: behind
	 * a load balancer spreading a sender over n instances, a sender gets up to n times
	 * it.
	 *
	 * @param enabled whether orders are limited per sender. Default {@code true}.
	 * @param ordersPerSecond orders per second a sender may place over time. Default 5.
	 * @param burst orders a sender may place at once after a quiet spell. Default 20.
	 * @param senders most senders tracked at once; the least recent are forgotten.
	 * Default 100000.
	 * @param bulkOrdersPerSecond orders per second a sender may place over time in
	 * streams, when its token has the scope {@code orders:bulk}. Default 1000.
	 * @param bulkBurst orders a sender may place at once in streams after a quiet spell,
	 * with the scope {@code orders:bulk}. Default 10000.
	 */
	public record RateLimit(@DefaultValue("true") boolean enabled, @DefaultValue("5") int ordersPerSecond,
			@DefaultValue("20") int burst, @DefaultValue("100000") int senders,
			@DefaultValue("1000") int bulkOrdersPerSecond, @DefaultValue("10000") int bulkBurst) {

	}

	/**
	 * The limits of one stream of orders.
	 *
	 * @param maxLines most lines in one request (blank lines count); the line past it is
	 * answered {@code too-many-lines}, and the rest of the body is read (so that a client
	 * still sending gets its answer) but not answered, up to as many bytes as the most
	 * lines of the largest size may have. Every result of a request is held until its
	 * client reads it, so this also bounds what a client that reads nothing before it has
	 * sent everything makes the service hold. At most 1000000. Default 10000.
	 * @param maxInFlight most orders of one stream waiting for the broker at once; the
	 * stream's next lines are read as they are answered, so a client that sends faster
	 * than the broker confirms is slowed down. Default 64.
	 * @param maxStreams most streams open at once on this instance ({@code 503} beyond).
	 * Default 16.
	 * @param maxStreamsPerCaller most streams one caller (a token's subject) has open at
	 * once ({@code 429} beyond). Default 4.
	 */
	public record Stream(@DefaultValue("10000") int maxLines, @DefaultValue("64") int maxInFlight,
			@DefaultValue("16") int maxStreams, @DefaultValue("4") int maxStreamsPerCaller) {

	}

}
