package dev.orderpipeline.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The broker a benchmark run measures the pipeline on, by binder: the services' settings
 * for it, its ceiling (a plain producer and consumer, no pipeline), a backlog written as
 * order-source writes it, and the cleanup.
 */
interface BenchBroker {

	/**
	 * The broker's name in the figures.
	 * @return {@code rabbitmq} or {@code kafka}
	 */
	String name();

	/**
	 * The broker's process group, for its CPU and memory.
	 * @return the process group id
	 */
	long processGroup();

	/**
	 * The services' arguments for the broker and the run's queue or topic.
	 * @param queue the run's queue or topic
	 * @return the arguments
	 */
	List<String> arguments(String queue);

	/**
	 * Prepares the broker for the run's queue or topic.
	 * @param queue the run's queue or topic
	 */
	void prepare(String queue);

	/**
	 * Measures the broker's ceiling: messages of an order's size from one producer to one
	 * consumer, durable and acknowledged as the pipeline's are.
	 * @param duration how long
	 * @param logs where logs go
	 * @return messages received per second
	 */
	double ceiling(Duration duration, Path logs) throws Exception;

	/**
	 * What the ceiling is, for the report.
	 * @return the figure's key in the results
	 */
	String ceilingKey();

	/**
	 * Writes orders as order-source does (signed), acknowledged by the broker.
	 * @param queue the queue or topic
	 * @param count how many
	 * @param sender the sender of every order
	 */
	void publishBacklog(String queue, int count, String sender) throws Exception;

	/**
	 * Removes the run's queue or topic and its dead-letter one.
	 * @param queue the run's queue or topic
	 */
	void delete(String queue) throws Exception;

	static BenchBroker of(String binder) {
		return switch (binder) {
			case "rabbit" -> new RabbitBenchBroker();
			case "kafka" -> new KafkaBenchBroker();
			default -> throw new IllegalArgumentException("--binder is rabbit or kafka, not " + binder);
		};
	}

}
