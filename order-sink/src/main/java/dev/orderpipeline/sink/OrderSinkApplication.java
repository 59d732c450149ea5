package dev.orderpipeline.sink;

import dev.orderpipeline.sink.deadletters.DeadLetterCommand;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * The order store: consumes orders from the broker, stores each once in PostgreSQL and
 * acknowledges only after the commit; serves stored orders over HTTP. Started with
 * {@code dead-letters ...} it runs an operator's command on the dead-letter queue instead
 * (see {@link DeadLetterCommand}).
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class OrderSinkApplication {

	public static void main(String[] args) {
		if (DeadLetterCommand.isCommand(args)) {
			System.exit(DeadLetterCommand.run(args, System.out, System.err));
		}
		SpringApplication.run(OrderSinkApplication.class, args);
	}

}
