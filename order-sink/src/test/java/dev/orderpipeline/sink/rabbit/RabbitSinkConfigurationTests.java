package dev.orderpipeline.sink.rabbit;

import org.junit.jupiter.api.Test;

import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatNoException;

class RabbitSinkConfigurationTests {

	private static final long HEAP = DataSize.ofMegabytes(128).toBytes();

	@Test
	void takesThePrefetchAndLimitTheServiceRunsWith() {
		assertThatNoException().isThrownBy(() -> RabbitSinkConfiguration.requireThatPrefetchedBodiesFitTheHeap(400,
				DataSize.ofKilobytes(128), HEAP));
	}

	@Test
	void refusesAPrefetchWhoseBodiesWouldFillTheHeap() {
		// The client's default limit (64 MB): three prefetched bodies exhaust a 128 MB
		// heap.
		assertThatIllegalStateException()
			.isThrownBy(() -> RabbitSinkConfiguration.requireThatPrefetchedBodiesFitTheHeap(400,
					DataSize.ofMegabytes(64), HEAP))
			.withMessageContaining("max-inbound-message-body-size");
		assertThatIllegalStateException().isThrownBy(() -> RabbitSinkConfiguration
			.requireThatPrefetchedBodiesFitTheHeap(600, DataSize.ofKilobytes(128), HEAP));
	}

}
