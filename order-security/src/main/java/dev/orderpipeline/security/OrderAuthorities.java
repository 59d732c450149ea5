package dev.orderpipeline.security;

import java.util.Collection;

import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;

/**
 * What a token may do: scopes, from the token's {@code scope} claim, and roles, from its
 * roles claim.
 */
public final class OrderAuthorities {

	/** Scope to place orders in one's own name. */
	public static final String WRITE = "SCOPE_orders:write";

	/**
	 * Scope that gives a stream of orders the sender's larger bulk allowance
	 * ({@code orders.source.rate-limit.bulk-*}); placing them still needs {@link #WRITE}.
	 */
	public static final String BULK = "SCOPE_orders:bulk";

	/**
	 * Scope of the identity that migrates the legacy system's stored orders: each line of
	 * its streams names any sender and gives the legacy row's id and times, and is stored
	 * as migrated; placing them still needs {@link #WRITE}. Every stream under it is
	 * logged.
	 */
	public static final String MIGRATE = "SCOPE_orders:migrate";

	/** Scope to read one's own orders. */
	public static final String READ = "SCOPE_orders:read";

	/** Role of pharmacists: read every order. */
	public static final String PHARMACIST = "ROLE_pharmacist";

	/** Role of administrators: read every order. */
	public static final String ADMIN = "ROLE_admin";

	private OrderAuthorities() {
	}

	/**
	 * Whether the caller may read (and, once status changes exist, change) every order.
	 * @param authentication the caller
	 * @return {@code true} for pharmacists and administrators
	 */
	public static boolean readsAll(Authentication authentication) {
		Collection<? extends GrantedAuthority> authorities = authentication.getAuthorities();
		return authorities.stream()
			.map(GrantedAuthority::getAuthority)
			.anyMatch((authority) -> PHARMACIST.equals(authority) || ADMIN.equals(authority));
	}

}
