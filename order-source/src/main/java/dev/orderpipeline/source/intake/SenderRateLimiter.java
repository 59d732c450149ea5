package dev.orderpipeline.source.intake;

import java.time.Duration;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.orderpipeline.source.OrderSourceProperties;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;

import org.springframework.stereotype.Component;

/**
 * Limits how many orders each sender places: a token bucket per sender, {@code burst}
 * deep, refilled at {@code ordersPerSecond}. Held in this instance's memory.
 */
@Component
public class SenderRateLimiter {

	private final OrderSourceProperties.RateLimit limit;

	private final Cache<String, Bucket> buckets;

	/** Anonymous orders' buckets apart, so that made-up names never evict a sender's. */
	private final Cache<String, Bucket> anonymousBuckets;

	/**
	 * The allowance of streams whose token grants the bulk scope, apart from the rest.
	 */
	private final Cache<String, Bucket> bulkBuckets;

	SenderRateLimiter(OrderSourceProperties properties) {
		this.limit = properties.rateLimit();
		if (this.limit.enabled() && (this.limit.ordersPerSecond() < 1 || this.limit.burst() < 1
				|| this.limit.senders() < 1 || this.limit.bulkOrdersPerSecond() < 1 || this.limit.bulkBurst() < 1)) {
			throw new IllegalArgumentException("orders.source.rate-limit.orders-per-second, .burst, .senders, "
					+ ".bulk-orders-per-second and .bulk-burst must be at least 1 "
					+ "(or turn the limit off with orders.source.rate-limit.enabled=false)");
		}
		this.buckets = cache(this.limit.burst(), this.limit.ordersPerSecond());
		this.anonymousBuckets = cache(this.limit.burst(), this.limit.ordersPerSecond());
		this.bulkBuckets = cache(this.limit.bulkBurst(), this.limit.bulkOrdersPerSecond());
	}

	private Cache<String, Bucket> cache(int burst, int ordersPerSecond) {
		// A bucket untouched for as long as it takes to refill is full again: forgetting
		// it changes nothing.
		Duration refill = Duration.ofMillis(Math.max(1000, 1000L * burst / Math.max(1, ordersPerSecond)));
		return Caffeine.newBuilder()
			.maximumSize(Math.max(1, this.limit.senders()))
			.expireAfterAccess(refill.multipliedBy(2))
			.build();
	}

	/**
	 * Takes one order from the sender's allowance.
	 * @param sender the sender
	 * @throws RateLimitedException when the sender has none left
	 */
	void acquire(String sender) {
		take(this.buckets, sender);
	}

	/**
	 * Takes one order from the allowance of anonymous orders in the sender's name, which
	 * is not the sender's own: anonymous callers naming a sender cannot use up what the
	 * sender's authenticated orders may place.
	 * @param sender the sender the body names
	 * @throws RateLimitedException when there is none left
	 */
	void acquireAnonymous(String sender) {
		take(this.anonymousBuckets, sender);
	}

	/**
	 * Takes one order from the sender's bulk allowance: that of streams whose token has
	 * the scope {@code orders:bulk}, larger than and apart from the sender's own.
	 * @param sender the sender
	 * @throws RateLimitedException when the sender has none left
	 */
	void acquireBulk(String sender) {
		take(this.bulkBuckets, sender, this.limit.bulkBurst(), this.limit.bulkOrdersPerSecond());
	}

	private void take(Cache<String, Bucket> buckets, String sender) {
		take(buckets, sender, this.limit.burst(), this.limit.ordersPerSecond());
	}

	private void take(Cache<String, Bucket> buckets, String sender, int burst, int ordersPerSecond) {
		if (!this.limit.enabled()) {
			return;
		}
		ConsumptionProbe probe = buckets.get(sender, (key) -> newBucket(burst, ordersPerSecond))
			.tryConsumeAndReturnRemaining(1);
		if (!probe.isConsumed()) {
			throw new RateLimitedException(Duration.ofNanos(probe.getNanosToWaitForRefill()));
		}
	}

	private static Bucket newBucket(int burst, int ordersPerSecond) {
		return Bucket.builder()
			.addLimit((bandwidth) -> bandwidth.capacity(burst).refillGreedy(ordersPerSecond, Duration.ofSeconds(1)))
			.build();
	}

}
