package dev.orderpipeline.security;

import dev.orderpipeline.contracts.OrderSignature;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * The signatures of order messages, from {@code orders.signing.*}. A service does not
 * start without a key: unsigned, order-source's messages would be dead-lettered by the
 * sink as unverified.
 */
@AutoConfiguration
@EnableConfigurationProperties(OrderSigningProperties.class)
public class OrderSigningAutoConfiguration {

	@Bean
	OrderSignature orderSignature(OrderSigningProperties properties) {
		if (properties.keys().isEmpty()) {
			throw new IllegalStateException("No message signing key: set orders.signing.keys.<id> (base64, 32 bytes "
					+ "or more, the same on order-source and order-sink; bin/run generates one, the charts read it "
					+ "from a shared Secret) and orders.signing.key-id on order-source");
		}
		return OrderSignature.of(properties.keys(), properties.keyId());
	}

}
