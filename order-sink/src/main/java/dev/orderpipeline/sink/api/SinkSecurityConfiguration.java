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
 * Who may read orders: {@code orders:read} for one's own (checked against the order by
 * {@link OrderReadController}), the pharmacist and admin roles for all.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
class SinkSecurityConfiguration {

	@Bean
	SecurityWebFilterChain orderSinkSecurityFilterChain(ServerHttpSecurity http, OrderSecurity security) {
		return security.apiChain(http,
				(routes) -> routes.pathMatchers(HttpMethod.GET, "/orders/*")
					.hasAnyAuthority(OrderAuthorities.READ, OrderAuthorities.PHARMACIST, OrderAuthorities.ADMIN)
					.anyExchange()
					.authenticated());
	}

}
