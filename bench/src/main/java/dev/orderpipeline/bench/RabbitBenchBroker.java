package dev.orderpipeline.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import dev.orderpipeline.testsupport.servers.TestRabbitMq;

import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitAdmin;

/**
 * The run on the benchmark's RabbitMQ node, with RabbitMQ PerfTest as the ceiling.
 */
final class RabbitBenchBroker implements BenchBroker {

	@Override
	public String name() {
		return "rabbitmq";
	}

	@Override
	public long processGroup() {
		return TestRabbitMq.shared().processGroup();
	}

	@Override
	public List<String> arguments(String queue) {
		return Stream.concat(TestRabbitMq.shared().arguments().stream(), Stream.of("--orders.queue=" + queue)).toList();
	}

	@Override
	public void prepare(String queue) {
		// Large backlogs stay fast on classic queues of version 2, set by policy as
		// bin/run and the charts do.
		TestRabbitMq.shared().setQueuePolicy("bench-" + queue, "^" + queue + "$", "{\"queue-version\":2}");
	}

	@Override
	public double ceiling(Duration duration, Path logs) throws Exception {
		return Ceilings.perfTest(duration, logs.resolve("perftest.log"));
	}

	@Override
	public String ceilingKey() {
		return "rabbitmqPerfTestMsgPerSecond";
	}

	@Override
	public void publishBacklog(String queue, int count, String sender) throws Exception {
		Backlog.publish(queue, count, sender);
	}

	@Override
	public void delete(String queue) {
		CachingConnectionFactory connectionFactory = TestRabbitMq.shared().connectionFactory();
		try {
			RabbitAdmin admin = new RabbitAdmin(connectionFactory);
			admin.deleteQueue(queue);
			admin.deleteQueue(queue + ".dlq");
			admin.deleteExchange(queue);
			admin.deleteExchange(queue + ".dlx");
		}
		finally {
			connectionFactory.destroy();
		}
	}

}
