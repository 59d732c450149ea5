package dev.orderpipeline.sink.consuming;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;

import dev.orderpipeline.contracts.OrderPlaced;
import dev.orderpipeline.sink.store.OrderStore.StoreResult;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The sink's meters: orders stored, deduplicated, colliding and dead-lettered; batch size
 * and write time.
 */
class SinkMetrics {

	private final MeterRegistry registry;

	private final Counter stored;

	private final Counter deduplicated;

	private final Counter conflicts;

	private final DistributionSummary batchSize;

	private final Timer writeTime;

	private final Timer acceptToStored;

	SinkMetrics(MeterRegistry registry) {
		this.registry = registry;
		this.stored = Counter.builder("orders.stored").description("Orders newly stored").register(registry);
		this.deduplicated = Counter.builder("orders.deduplicated")
			.description("Orders received again and stored only once")
			.register(registry);
		this.conflicts = Counter.builder("orders.idempotency.conflicts")
			.description("Orders received again with a different body; the first body is kept")
			.register(registry);
		this.batchSize = DistributionSummary.builder("orders.batch.size")
			.description("Messages per received batch")
			.register(registry);
		this.writeTime = Timer.builder("orders.batch.write").description("Time to store one batch").register(registry);
		this.acceptToStored = Timer.builder("orders.accept.to.stored")
			.description("Time from an order's acceptance (its createdAt) to its commit")
			.publishPercentileHistogram()
			.register(registry);
	}

	void stored(StoreResult result) {
		this.stored.increment(result.stored());
		this.deduplicated.increment(result.duplicates());
		this.conflicts.increment(result.conflicts());
	}

	void committed(List<OrderPlaced> orders) {
		Instant now = Instant.now();
		for (OrderPlaced order : orders) {
			Duration latency = Duration.between(order.createdAt(), now);
			if (!latency.isNegative()) {
				this.acceptToStored.record(latency);
			}
		}
	}

	void deadLettered(String kind) {
		Counter.builder("orders.dead.lettered")
			.description("Messages sent to the dead-letter queue")
			.tag("reason", kind)
			.register(this.registry)
			.increment();
	}

	void batch(int size) {
		this.batchSize.record(size);
	}

	<T> T timeWrite(Supplier<T> write) {
		return this.writeTime.record(write);
	}

}
