package dev.orderpipeline.source;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The order intake: accepts orders over HTTP and answers only once the broker has
 * confirmed them.
 */
@SpringBootApplication
public class OrderSourceApplication {

	public static void main(String[] args) {
		SpringApplication.run(OrderSourceApplication.class, args);
	}

}
