package dev.orderpipeline.sink.api;

import dev.orderpipeline.security.Caller;
import dev.orderpipeline.security.OrderAuthorities;
import dev.orderpipeline.security.OrderSecurity;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * Whose orders the caller may read: a sender its own ({@code orders:read}, the route's
 * security having checked the scope), pharmacists and administrators everyone's, anyone
 * everyone's when security is off. With security on, a request that reached the API
 * without a validated token reads nothing.
 */
@Component
class Readers {

	private final boolean securityEnabled;

	/**
	 * Creates the check.
	 * @param security the API's security; without it (no web server) taken as on
	 */
	Readers(ObjectProvider<OrderSecurity> security) {
		OrderSecurity configured = security.getIfAvailable();
		this.securityEnabled = configured == null || configured.enabled();
	}

	/**
	 * Whether the current caller may read a sender's orders.
	 * @param sender the sender
	 * @return the answer, never empty
	 */
	Mono<Boolean> mayReadOrdersOf(String sender) {
		return current().map((reader) -> reader.mayReadOrdersOf(sender));
	}

	/**
	 * The current caller.
	 * @return the caller, never empty
	 */
	Mono<Reader> current() {
		return Caller.current()
			.map((caller) -> caller.map(
					(authentication) -> new Reader(authentication.getName(), OrderAuthorities.readsAll(authentication)))
				.orElse(new Reader(null, !this.securityEnabled)));
	}

	/**
	 * A caller of the read API.
	 *
	 * @param name the token's subject, {@code null} without a token
	 * @param readsAll whether it reads every sender's orders
	 */
	record Reader(String name, boolean readsAll) {

		/**
		 * Whether this caller may read a sender's orders.
		 * @param sender the sender
		 * @return the answer
		 */
		boolean mayReadOrdersOf(String sender) {
			return this.readsAll || (this.name != null && this.name.equals(sender));
		}

	}

}
