package dev.orderpipeline.source.order;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.orderpipeline.contracts.OrderChannel;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import org.springframework.stereotype.Component;

/**
 * The intake's meters: orders accepted for publishing (by channel), confirmed by the
 * broker, rejected (by reason: the 4xx and 503 causes), and the time from send to
 * confirm.
 */
@Component
class OrderMetrics {

	private final MeterRegistry registry;

	private final Map<OrderChannel, Counter> accepted = new ConcurrentHashMap<>();

	private final Counter confirmed;

	private final Timer confirmLatency;

	OrderMetrics(MeterRegistry registry) {
		this.registry = registry;
		this.confirmed = Counter.builder("orders.confirmed")
			.description("Orders the broker confirmed (answered 2xx)")
			.register(registry);
		this.confirmLatency = Timer.builder("orders.confirm")
			.description("Time from publishing an order to the broker's confirm")
			.publishPercentileHistogram()
			.register(registry);
	}

	void accepted(OrderChannel channel) {
		// Kept once registered, so an order costs no registry lookup.
		this.accepted
			.computeIfAbsent(channel,
					(key) -> Counter.builder("orders.accepted")
						.description("Valid orders handed to the broker")
						.tag("channel", key.name())
						.register(this.registry))
			.increment();
	}

	void confirmed(Duration latency) {
		this.confirmed.increment();
		this.confirmLatency.record(latency);
	}

	void rejected(String reason) {
		Counter.builder("orders.rejected")
			.description("Orders not accepted, by reason")
			.tag("reason", reason)
			.register(this.registry)
			.increment();
	}

}
