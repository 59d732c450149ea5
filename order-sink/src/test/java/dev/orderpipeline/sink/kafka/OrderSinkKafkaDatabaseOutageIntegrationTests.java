package dev.orderpipeline.sink.kafka;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.orderpipeline.testsupport.TcpProxy;
import dev.orderpipeline.testsupport.TestDatabase;
import dev.orderpipeline.testsupport.TestTokens;
import dev.orderpipeline.testsupport.servers.TestPostgresql;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * PostgreSQL unreachable for several times the consumer's {@code max.poll.interval.ms} (a
 * cut proxy on 127.0.0.1): the records wait uncommitted, the sink reports not ready,
 * nothing is dead-lettered, the consumer stays in its group (the batch is handed back to
 * the error handler, which keeps polling with the partitions paused, instead of blocking
 * the consumer), the error handler never gives the batch up, and everything is stored
 * once the database is back.
 */
@DirtiesContext
@SpringBootTest(properties = { "orders.binder=kafka", "server.port=0", "management.server.port=0",
		// Short pauses and hold: the batch goes back to the error handler dozens of times
		// during the outage, far more than the ten attempts after which Spring Kafka's
		// default handler would commit it.
		"orders.sink.retry-initial-interval=50ms", "orders.sink.retry-max-interval=100ms",
		"orders.sink.retry-hold=300ms",
		"spring.cloud.stream.kafka.binder.consumer-properties.max.poll.interval.ms=5000",
		"spring.cloud.stream.kafka.binder.consumer-properties.session.timeout.ms=6000",
		"spring.r2dbc.pool.max-acquire-time=2s", "spring.r2dbc.pool.max-create-connection-time=2s" })
class OrderSinkKafkaDatabaseOutageIntegrationTests {

	private static final KafkaTestTopic topic = new KafkaTestTopic();

	private static final TestDatabase database = TestDatabase.shared();

	private static final TcpProxy proxy = startProxy();

	@Autowired
	private ApplicationAvailability availability;

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		TestTokens.shared().register(registry);
		topic.register(registry);
		database.register(registry, proxy.port());
	}

	@AfterAll
	static void cleanUp() throws IOException {
		proxy.close();
		topic.close();
	}

	@Test
	void recordsWaitWhileTheDatabaseIsDownWithoutTheConsumerLeavingItsGroupAndAreStoredWhenItReturns()
			throws Exception {
		String sender = OrderSinkKafkaIntegrationTests.sender();
		await().atMost(Duration.ofSeconds(60)).until(() -> topic.members().size() == 1);
		List<String> members = topic.members();
		proxy.cut();
		try {
			for (int i = 0; i < 3; i++) {
				topic.send(null, OrderSinkKafkaIntegrationTests.legacy(sender), Map.of());
			}
			await().atMost(Duration.ofSeconds(30))
				.until(() -> this.availability.getReadinessState() == ReadinessState.REFUSING_TRAFFIC);
			// Three times max.poll.interval.ms: a consumer blocked all along would have
			// been removed from the group and come back as a new member.
			await().during(Duration.ofSeconds(15))
				.atMost(Duration.ofSeconds(30))
				.until(() -> topic.members().equals(members));
			assertThat(database.countOrders("sender_user_id = '" + sender + "'")).isZero();
		}
		finally {
			proxy.restore();
		}
		await().atMost(Duration.ofSeconds(30))
			.until(() -> database.countOrders("sender_user_id = '" + sender + "'") == 3);
		await().atMost(Duration.ofSeconds(10))
			.until(() -> this.availability.getReadinessState() == ReadinessState.ACCEPTING_TRAFFIC);
		assertThat(topic.deadLetterCount()).isZero();
		assertThat(topic.members()).isEqualTo(members);
	}

	private static TcpProxy startProxy() {
		try {
			return new TcpProxy(TestPostgresql.shared().port());
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
