package dev.orderpipeline.sink.api;

import dev.orderpipeline.security.OrderAuthorities;
import dev.orderpipeline.security.OrderSecurity;

import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.web.server.SecurityWebFilterChain;

/**
 * Who may read orders: {@code orders:read} for one's own (checked against the order or
 * the sender by {@link Readers}), the pharmacist and admin roles for all, whatever the
 * method.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
class SinkSecurityConfiguration {

	@Bean
	SecurityWebFilterChain orderSinkSecurityFilterChain(ServerHttpSecurity http, OrderSecurity security) {
		// Every method on the orders, not only GET: HEAD and the methods the API does not
		// serve are refused before they reach it to anyone without the right to read.
		return security.apiChain(http,
				(routes) -> routes.pathMatchers("/orders", "/orders/**", "/senders/**")
					.hasAnyAuthority(OrderAuthorities.READ, OrderAuthorities.PHARMACIST, OrderAuthorities.ADMIN)
					// The API's documentation is public: it describes, it does not serve
					// orders.
					.pathMatchers(HttpMethod.GET, "/v3/api-docs", "/v3/api-docs/**", "/swagger-ui.html",
							"/swagger-ui/**", "/webjars/swagger-ui/**")
					.permitAll()
					.anyExchange()
					.authenticated());
	}

}
