package dev.orderpipeline.source.intake;

import java.net.URI;
import java.time.Duration;

import dev.orderpipeline.source.OrderSourceProperties;
import org.junit.jupiter.api.Test;

import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNoException;

class SenderRateLimiterTests {

	@Test
	void eachSenderHasABurstOfItsOwnThenWaitsForTheRefill() {
		SenderRateLimiter limiter = limiter(new OrderSourceProperties.RateLimit(true, 1, 2, 100, 1000, 10_000));
		limiter.acquire("user-1");
		limiter.acquire("user-1");
		assertThatExceptionOfType(RateLimitedException.class).isThrownBy(() -> limiter.acquire("user-1"))
			.satisfies((ex) -> assertThat(ex.getRetryAfter()).isPositive().isLessThanOrEqualTo(Duration.ofSeconds(1)));
		assertThatNoException().isThrownBy(() -> limiter.acquire("user-2"));
	}

	@Test
	void theBulkAllowanceIsLargerAndApartFromTheSendersOwn() {
		SenderRateLimiter limiter = limiter(new OrderSourceProperties.RateLimit(true, 1, 2, 100, 1, 5));
		limiter.acquire("user-1");
		limiter.acquire("user-1");
		assertThatExceptionOfType(RateLimitedException.class).isThrownBy(() -> limiter.acquire("user-1"));
		for (int i = 0; i < 5; i++) {
			limiter.acquireBulk("user-1");
		}
		assertThatExceptionOfType(RateLimitedException.class).isThrownBy(() -> limiter.acquireBulk("user-1"));
	}

	@Test
	void aLimitTurnedOffNeverRefuses() {
		SenderRateLimiter limiter = limiter(new OrderSourceProperties.RateLimit(false, 0, 0, 100, 1000, 10_000));
		for (int i = 0; i < 100; i++) {
			limiter.acquire("user-1");
		}
	}

	@Test
	void refusesToStartWithARateOrBurstBelowOne() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> limiter(new OrderSourceProperties.RateLimit(true, 0, 20, 100, 1000, 10_000)))
			.withMessageContaining("orders.source.rate-limit.enabled=false");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> limiter(new OrderSourceProperties.RateLimit(true, 5, 0, 100, 1000, 10_000)));
		assertThatIllegalArgumentException()
			.isThrownBy(() -> limiter(new OrderSourceProperties.RateLimit(true, 5, 20, 100, 1000, 0)));
	}

	private static SenderRateLimiter limiter(OrderSourceProperties.RateLimit limit) {
		return new SenderRateLimiter(new OrderSourceProperties("orders-out-0", URI.create("http://localhost:8001"),
				Duration.ofSeconds(5), 512, DataSize.ofKilobytes(16), Duration.ofSeconds(5), false, limit,
				new OrderSourceProperties.Stream(10_000, 64, 16, 4), Duration.ofSeconds(30), false));
	}

}
