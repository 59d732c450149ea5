package dev.orderpipeline.testsupport;

import java.util.UUID;

import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * Queue and exchange names of one test class's own on the machine's RabbitMQ, and their
 * removal afterwards.
 */
public final class RabbitTestTopology {

	private final String queue = "orders_it_" + UUID.randomUUID().toString().substring(0, 8);

	/**
	 * Points the service at this topology.
	 * @param registry the test's properties
	 */
	public void register(DynamicPropertyRegistry registry) {
		registry.add("orders.queue", () -> this.queue);
	}

	public String queue() {
		return this.queue;
	}

	public String deadLetterQueue() {
		return this.queue + ".dlq";
	}

	/**
	 * Deletes the queues and exchanges.
	 * @param admin an admin on the broker
	 */
	public void delete(RabbitAdmin admin) {
		admin.deleteQueue(this.queue);
		admin.deleteQueue(deadLetterQueue());
		admin.deleteExchange(this.queue);
		admin.deleteExchange(this.queue + ".dlx");
	}

}
