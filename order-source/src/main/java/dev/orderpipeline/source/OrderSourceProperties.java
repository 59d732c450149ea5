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
 */
@ConfigurationProperties("orders.source")
public record OrderSourceProperties(@DefaultValue("orders-out-0") String binding,
		@DefaultValue("http://localhost:8001") URI readApiBaseUrl, @DefaultValue("5s") Duration confirmTimeout,
		@DefaultValue("512") int maxInFlight, @DefaultValue("16KB") DataSize maxBodySize,
		@DefaultValue("5s") Duration retryAfter, @DefaultValue("false") boolean allowAnonymousLegacyOrders,
		@DefaultValue RateLimit rateLimit) {

	public OrderSourceProperties {
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
	 */
	public record RateLimit(@DefaultValue("true") boolean enabled, @DefaultValue("5") int ordersPerSecond,
			@DefaultValue("20") int burst, @DefaultValue("100000") int senders) {

	}

}
