package dev.orderpipeline.security;

import java.time.Duration;
import java.time.Instant;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import reactor.core.publisher.Mono;

import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;

/**
 * Remembers tokens that passed every check, until they expire. A client sends the same
 * token with every request for the token's lifetime, and checking its signature again
 * each time costs more than the rest of placing an order. Only valid tokens are kept,
 * each no longer than its own expiry (never past {@code exp}, without the clock skew
 * allowed when it was checked) and never longer than five minutes, so that a signing key
 * withdrawn at the issuer stops being honoured about when the issuer's key set is read
 * again. The cache is bounded.
 */
public class CachingJwtDecoder implements ReactiveJwtDecoder {

	private static final Duration MAXIMUM_AGE = Duration.ofMinutes(5);

	private final ReactiveJwtDecoder delegate;

	private final Cache<String, Jwt> valid;

	/**
	 * Creates a decoder.
	 * @param delegate checks tokens not seen before
	 * @param maximumSize most tokens remembered at once
	 */
	public CachingJwtDecoder(ReactiveJwtDecoder delegate, long maximumSize) {
		this.delegate = delegate;
		this.valid = Caffeine.newBuilder().maximumSize(maximumSize).expireAfter(new UntilExpiry()).build();
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
