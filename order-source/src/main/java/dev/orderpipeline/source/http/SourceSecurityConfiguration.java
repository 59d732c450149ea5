package dev.orderpipeline.source.http;

import dev.orderpipeline.security.OrderAuthorities;
import dev.orderpipeline.security.OrderSecurity;
import dev.orderpipeline.source.OrderSourceProperties;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.web.server.SecurityWebFilterChain;

/**
 * Who may place orders: {@code orders:write} on both routes; the legacy route also
 * without a token when {@code orders.source.allow-anonymous-legacy-orders} says so. Who
 * may ask for status changes: {@code orders:write}, pharmacists and administrators.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
class SourceSecurityConfiguration {

	private static final Log logger = LogFactory.getLog(SourceSecurityConfiguration.class);

	@Bean
	SecurityWebFilterChain orderSourceSecurityFilterChain(ServerHttpSecurity http, OrderSecurity security,
			OrderSourceProperties properties) {
		boolean anonymousLegacy = properties.allowAnonymousLegacyOrders();
		if (anonymousLegacy && security.enabled()) {
			logger.warn("ANONYMOUS LEGACY ORDERS ARE ALLOWED (orders.source.allow-anonymous-legacy-orders=true): "
					+ "POST /queue/neworder without a token places orders in whatever sender's name the body gives");
		}
		return security.apiChain(http, (routes) -> {
			// The order routes first: each rule is tried in turn on every order.
			routes.pathMatchers(HttpMethod.POST, "/orders").hasAuthority(OrderAuthorities.WRITE);
			if (anonymousLegacy) {
				routes.pathMatchers(HttpMethod.POST, "/queue/neworder").permitAll();
			}
			else {
				routes.pathMatchers(HttpMethod.POST, "/queue/neworder").hasAuthority(OrderAuthorities.WRITE);
			}
			// Status changes: a sender cancels its own orders, pharmacists and
			// administrators make the others (each request checked further by the
			// intake).
			routes.pathMatchers("/order-commands", "/order-commands/**")
				.hasAnyAuthority(OrderAuthorities.WRITE, OrderAuthorities.PHARMACIST, OrderAuthorities.ADMIN);
			// The API's documentation is public: it describes, it does not serve orders.
			routes
				.pathMatchers(HttpMethod.GET, "/v3/api-docs", "/v3/api-docs/**", "/swagger-ui.html", "/swagger-ui/**",
						"/webjars/swagger-ui/**")
				.permitAll();
			routes.anyExchange().authenticated();
		});
	}

}
