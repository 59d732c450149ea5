package dev.orderpipeline.migration;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * The migration command: {@code migrate} copies the legacy system's stored orders into
 * the pipeline through order-source's stream of orders, then reconciles; {@code verify}
 * only reconciles. Exits 0 when every legacy row is stored or rejected for a reason, 1
 * when rows are missing or a batch made no progress (run it again), 2 when it could not
 * run or go on.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class OrderMigrationApplication {

	public static void main(String[] args) {
		int status;
		try {
			status = SpringApplication.exit(SpringApplication.run(OrderMigrationApplication.class, args));
		}
		catch (RuntimeException ex) {
			// A setting that does not bind: Spring Boot has told why.
			status = MigrationCommand.REFUSED;
		}
		System.exit(status);
	}

}
