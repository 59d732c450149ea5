package dev.orderpipeline.source.intake;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.orderpipeline.contracts.OrderChannel;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.stereotype.Component;

/**
 * The intake's meters: orders accepted for publishing (by channel) and rejected (by
 * reason: the 4xx and 503 causes). The publisher counts and times the confirms.
 */
@Component
public class OrderMetrics {

	private final MeterRegistry registry;

	private final Map<OrderChannel, Counter> accepted = new ConcurrentHashMap<>();

	OrderMetrics(MeterRegistry registry) {
		this.registry = registry;
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

	public void rejected(String reason) {
		Counter.builder("orders.rejected")
			.description("Orders not accepted, by reason")
			.tag("reason", reason)
			.register(this.registry)
			.increment();
	}

}
