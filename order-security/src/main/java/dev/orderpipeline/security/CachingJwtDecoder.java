package dev.orderpipeline.security;

import java.time.Duration;
import java.time.Instant;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import reactor.core.publisher.Mono;

import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;

/**
 * Remembers tokens that passed every check, for a minute at most. A client sends the same
 * token with every request for the token's lifetime, and checking its signature again
 * each time costs more than the rest of placing an order. Only valid tokens are kept,
 * each no longer than its own expiry (never past {@code exp}, without the clock skew
 * allowed when it was checked) and never longer than a minute, and the cache is bounded:
 * a heap dump or a leak holds few live tokens.
 * <p>
 * Remembering does not decide how long a signing key is trusted: the decoder behind it
 * reads the issuer's key set again only when a token names a key id it has not seen, so a
 * key withdrawn at the issuer is honoured until the service restarts.
 */
public class CachingJwtDecoder implements ReactiveJwtDecoder {

	static final Duration MAXIMUM_AGE = Duration.ofMinutes(1);

	private final ReactiveJwtDecoder delegate;

	private final Cache<String, Jwt> valid;

	/**
	 * Creates a decoder.
	 * @param delegate checks tokens not seen before
	 * @param maximumSize most tokens remembered at once
	 */
	public CachingJwtDecoder(ReactiveJwtDecoder delegate, long maximumSize) {
		this(delegate, maximumSize, Ticker.systemTicker());
	}

	CachingJwtDecoder(ReactiveJwtDecoder delegate, long maximumSize, Ticker ticker) {
		this.delegate = delegate;
		this.valid = Caffeine.newBuilder()
			.maximumSize(maximumSize)
			.expireAfter(new UntilExpiry())
			.ticker(ticker)
			.build();
	}

	/**
	 * How many tokens are remembered now.
	 * @return the count, after pending evictions
	 */
	long size() {
		this.valid.cleanUp();
		return this.valid.estimatedSize();
	}

	@Override
	public Mono<Jwt> decode(String token) throws JwtException {
		Jwt known = this.valid.getIfPresent(token);
		if (known != null && known.getExpiresAt() != null && Instant.now().isBefore(known.getExpiresAt())) {
			return Mono.just(known);
		}
		return this.delegate.decode(token).doOnNext((jwt) -> {
			if (jwt.getExpiresAt() != null) {
				this.valid.put(token, jwt);
			}
		});
	}

	private static final class UntilExpiry implements Expiry<String, Jwt> {

		@Override
		public long expireAfterCreate(String token, Jwt jwt, long currentTime) {
			Duration untilExpiry = Duration.between(Instant.now(), jwt.getExpiresAt());
			if (untilExpiry.isNegative()) {
				return 0;
			}
			return ((untilExpiry.compareTo(MAXIMUM_AGE) < 0) ? untilExpiry : MAXIMUM_AGE).toNanos();
		}

		@Override
		public long expireAfterUpdate(String token, Jwt jwt, long currentTime, long currentDuration) {
			return expireAfterCreate(token, jwt, currentTime);
		}

		@Override
		public long expireAfterRead(String token, Jwt jwt, long currentTime, long currentDuration) {
			return currentDuration;
		}

	}

}
