package dev.orderpipeline.sink;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * The order store: consumes orders from the broker, stores each once in PostgreSQL and
 * acknowledges only after the commit; serves stored orders over HTTP.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class OrderSinkApplication {

	public static void main(String[] args) {
		SpringApplication.run(OrderSinkApplication.class, args);
	}

}
