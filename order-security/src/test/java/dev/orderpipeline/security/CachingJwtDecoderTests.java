package dev.orderpipeline.security;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class CachingJwtDecoderTests {

	private final AtomicInteger checks = new AtomicInteger();

	@Test
	void aValidTokenIsCheckedOnceUntilItExpires() {
		ReactiveJwtDecoder decoder = new CachingJwtDecoder(counting((token) -> jwt(Instant.now().plusSeconds(60))), 10);
		Jwt first = decoder.decode("token").block();
		Jwt again = decoder.decode("token").block();
		assertThat(again).isSameAs(first);
		assertThat(this.checks).hasValue(1);
		decoder.decode("another").block();
		assertThat(this.checks).hasValue(2);
	}

	@Test
	void aValidTokenIsRememberedForAMinuteAtMost() {
		AtomicLong nanos = new AtomicLong();
		ReactiveJwtDecoder decoder = new CachingJwtDecoder(counting((token) -> jwt(Instant.now().plusSeconds(3600))),
				10, nanos::get);
		decoder.decode("token").block();
		nanos.addAndGet(Duration.ofSeconds(59).toNanos());
		decoder.decode("token").block();
		assertThat(this.checks).hasValue(1);
		nanos.addAndGet(Duration.ofSeconds(2).toNanos());
		decoder.decode("token").block();
		assertThat(this.checks).hasValue(2);
	}

	@Test
	void aboutAThousandTokensAreRememberedByDefault() {
		long size = new Binder(new MapConfigurationPropertySource())
			.bindOrCreate("orders.security", OrderSecurityProperties.class)
			.tokenCacheSize();
		CachingJwtDecoder decoder = new CachingJwtDecoder(counting((token) -> jwt(Instant.now().plusSeconds(3600))),
				size);
		for (int i = 0; i < 3000; i++) {
			decoder.decode("token-" + i).block();
		}
		assertThat(decoder.size()).isLessThanOrEqualTo(1000);
	}

	@Test
	void aTokenPastItsExpiryIsCheckedAgain() {
		// Accepted within the clock skew, but never remembered past its exp.
		ReactiveJwtDecoder decoder = new CachingJwtDecoder(counting((token) -> jwt(Instant.now().minusSeconds(5))), 10);
		decoder.decode("token").block();
		decoder.decode("token").block();
		assertThat(this.checks).hasValue(2);
	}

	@Test
	void anInvalidTokenIsNeverRemembered() {
		ReactiveJwtDecoder decoder = new CachingJwtDecoder(counting((token) -> {
			throw new BadJwtException("bad signature");
		}), 10);
		for (int i = 0; i < 2; i++) {
			assertThatExceptionOfType(BadJwtException.class).isThrownBy(() -> decoder.decode("token").block());
		}
		assertThat(this.checks).hasValue(2);
	}

	private ReactiveJwtDecoder counting(java.util.function.Function<String, Jwt> check) {
		return (token) -> Mono.fromCallable(() -> {
			this.checks.incrementAndGet();
			return check.apply(token);
		});
	}

	private static Jwt jwt(Instant expiresAt) {
		return new Jwt("token", Instant.now().minusSeconds(10), expiresAt, Map.of("alg", "RS256"),
				Map.of("sub", "user-1"));
	}

}
