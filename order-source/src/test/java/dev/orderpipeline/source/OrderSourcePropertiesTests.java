package dev.orderpipeline.source;

import java.net.URI;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class OrderSourcePropertiesTests {

	@ParameterizedTest
	@ValueSource(strings = { "https://orders.example/api?v=1", "https://orders.example/api#top" })
	void refusesAReadApiBaseUrlWithAQueryOrAFragment(String url) {
		assertThatIllegalArgumentException().isThrownBy(() -> properties(url))
			.withMessageContaining("read-api-base-url");
	}

	@Test
	void takesAReadApiBaseUrlWithAPath() {
		assertThat(properties("https://orders.example/api/").readApiBaseUrl())
			.isEqualTo(URI.create("https://orders.example/api/"));
	}

	@ParameterizedTest
	@ValueSource(strings = { "5s", "1s" })
	void refusesAReadTimeoutNoLongerThanTheConfirmTimeout(String readTimeout) {
		// A stream's body is not read while its orders wait for the broker's confirms.
		assertThatIllegalArgumentException()
			.isThrownBy(() -> properties("http://localhost:8001", Duration.parse("PT" + readTimeout)))
			.withMessageContaining("read-timeout");
	}

	private static OrderSourceProperties properties(String readApiBaseUrl) {
		return properties(readApiBaseUrl, Duration.ofSeconds(30));
	}

	private static OrderSourceProperties properties(String readApiBaseUrl, Duration readTimeout) {
		return new OrderSourceProperties("orders-out-0", URI.create(readApiBaseUrl), Duration.ofSeconds(5), 512,
				DataSize.ofKilobytes(16), Duration.ofSeconds(5), false,
				new OrderSourceProperties.RateLimit(true, 5, 20, 100_000, 1000, 10_000),
				new OrderSourceProperties.Stream(10_000, 64, 16, 4), readTimeout, false);
	}

}
