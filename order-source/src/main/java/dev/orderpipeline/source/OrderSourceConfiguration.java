package dev.orderpipeline.source;

import java.time.Clock;

import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Wiring of the order intake.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(OrderSourceProperties.class)
public class OrderSourceConfiguration {

	@Bean
	@ConditionalOnMissingBean
	Clock clock() {
		return Clock.systemUTC();
	}

	/**
	 * A client that stops sending a request's body is disconnected after
	 * {@code orders.source.read-timeout}, so that it holds no connection, and no place of
	 * a stream, for ever.
	 * @param properties the intake's settings
	 * @return the customizer of the HTTP server
	 */
	@Bean
	NettyServerCustomizer requestReadTimeout(OrderSourceProperties properties) {
		return (server) -> server.readTimeout(properties.readTimeout());
	}

}
