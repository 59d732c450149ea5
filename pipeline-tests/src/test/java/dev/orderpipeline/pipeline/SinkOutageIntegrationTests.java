package dev.orderpipeline.pipeline;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

import dev.orderpipeline.testsupport.LegacyPublisher;
import dev.orderpipeline.testsupport.RabbitTestTopology;
import dev.orderpipeline.testsupport.ServiceProcess;
import dev.orderpipeline.testsupport.TcpProxy;
import dev.orderpipeline.testsupport.TestDatabase;
import dev.orderpipeline.testsupport.servers.TestPostgresql;
import dev.orderpipeline.testsupport.servers.TestRabbitMq;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitAdmin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The sink process stopped (SIGTERM) while PostgreSQL is unreachable: the batch it was
 * retrying goes back on the queue, nothing is acknowledged or dead-lettered, and a new
 * sink stores everything once the database is back.
 */
class SinkOutageIntegrationTests {

	private static final Path LOGS = Path.of("target", "pipeline-logs");

	private static final TestDatabase database = TestDatabase.shared();

	private static final RabbitTestTopology topology = new RabbitTestTopology();

	private static final CachingConnectionFactory connectionFactory = TestRabbitMq.shared().connectionFactory();

	private static final RabbitAdmin admin = new RabbitAdmin(connectionFactory);

	@AfterAll
	static void deleteTopology() {
		topology.delete(admin);
		connectionFactory.destroy();
	}

	@Test
	void aSinkStoppedDuringADatabaseOutageLeavesItsBatchOnTheQueue() throws IOException {
		try (TcpProxy proxy = new TcpProxy(TestPostgresql.shared().port())) {
			List<String> arguments = Stream.concat(topology.arguments().stream(),
					Stream.of("--spring.r2dbc.url=" + database.r2dbcUrl(proxy.port()),
							"--spring.r2dbc.username=" + database.user(),
							"--spring.r2dbc.password=" + database.password(), "--orders.sink.retry-max-interval=1s"))
				.toList();
			ServiceProcess sink = ServiceProcess.start("order-sink-outage", jar(), LOGS, arguments);
			String sender = "user-" + UUID.randomUUID();
			try {
				proxy.cut();
				for (int i = 0; i < 3; i++) {
					LegacyPublisher.publish(topology.queue(),
							"{\"medicationId\": \"med-" + i + "\", \"sender_userId\": \"" + sender + "\"}", null);
				}
				await().atMost(Duration.ofSeconds(30)).until(() -> !sink.isReady());
				assertThat(admin.getQueueInfo(topology.queue()).getMessageCount()).isZero();
			}
			finally {
				sink.stop();
			}
			assertThat(admin.getQueueInfo(topology.queue()).getMessageCount()).isEqualTo(3);
			assertThat(admin.getQueueInfo(topology.deadLetterQueue()).getMessageCount()).isZero();
			proxy.restore();
			ServiceProcess again = sink.restart();
			try {
				await().atMost(Duration.ofSeconds(30))
					.until(() -> database.countOrders("sender_user_id = '" + sender + "'") == 3);
				assertThat(admin.getQueueInfo(topology.deadLetterQueue()).getMessageCount()).isZero();
			}
			finally {
				again.stop();
			}
		}
	}

	private static Path jar() {
		return Path.of(System.getProperty("pipeline.sink.jar"));
	}

}
