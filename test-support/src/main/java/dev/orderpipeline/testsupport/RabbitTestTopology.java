package dev.orderpipeline.testsupport;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import dev.orderpipeline.testsupport.servers.TestRabbitMq;

import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * Queue and exchange names of one test class's own on the test run's RabbitMQ node
 * ({@link TestRabbitMq}), and their removal afterwards.
 */
public final class RabbitTestTopology {

	private final String queue = "orders_it_" + UUID.randomUUID().toString().substring(0, 8);

	/**
	 * Points the service at the test run's broker and this topology.
	 * @param registry the test's properties
	 */
	public void register(DynamicPropertyRegistry registry) {
		TestRabbitMq.shared().register(registry);
		registry.add("orders.queue", () -> this.queue);
	}

	/**
	 * Points a service process at the test run's broker and this topology.
	 * @return the command-line arguments
	 */
	public List<String> arguments() {
		List<String> arguments = new ArrayList<>(TestRabbitMq.shared().arguments());
		arguments.add("--orders.queue=" + this.queue);
		return arguments;
	}

	public String queue() {
		return this.queue;
	}

	public String deadLetterQueue() {
		return this.queue + ".dlq";
	}

	/**
	 * Deletes the queues and exchanges.
	 */
	public void delete() {
		CachingConnectionFactory connectionFactory = TestRabbitMq.shared().connectionFactory();
		try {
			delete(new RabbitAdmin(connectionFactory));
		}
		finally {
			connectionFactory.destroy();
		}
	}

	/**
	 * Deletes the queues and exchanges.
	 * @param admin an admin on the test run's broker
	 */
	public void delete(RabbitAdmin admin) {
		admin.deleteQueue(this.queue);
		admin.deleteQueue(deadLetterQueue());
		admin.deleteExchange(this.queue);
		admin.deleteExchange(this.queue + ".dlx");
	}

}
