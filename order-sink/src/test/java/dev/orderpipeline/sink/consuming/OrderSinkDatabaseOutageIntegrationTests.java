package dev.orderpipeline.sink.consuming;

import java.io.IOException;
import java.time.Duration;
import java.util.UUID;

import dev.orderpipeline.testsupport.LegacyPublisher;
import dev.orderpipeline.testsupport.RabbitTestTopology;
import dev.orderpipeline.testsupport.TcpProxy;
import dev.orderpipeline.testsupport.TestDatabase;
import dev.orderpipeline.testsupport.TestTokens;
import dev.orderpipeline.testsupport.servers.TestPostgresql;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.amqp.rabbit.core.RabbitAdmin;
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
 * PostgreSQL unreachable for a while (a cut proxy on 127.0.0.1): the orders wait on the
 * queue, the sink reports not ready, nothing is dead-lettered, and everything is stored
 * once the database is back.
 */
@DirtiesContext
@SpringBootTest(properties = { "server.port=0", "management.server.port=0", "orders.sink.retry-max-interval=1s",
		"spring.r2dbc.pool.max-acquire-time=2s", "spring.r2dbc.pool.max-create-connection-time=2s" })
class OrderSinkDatabaseOutageIntegrationTests {

	private static final RabbitTestTopology topology = new RabbitTestTopology();

	private static final TestDatabase database = TestDatabase.shared();

	private static final TcpProxy proxy = startProxy();

	private static RabbitAdmin admin;

	@Autowired
	private ApplicationAvailability availability;

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		TestTokens.shared().register(registry);
		topology.register(registry);
		database.register(registry, proxy.port());
	}

	@Autowired
	void admin(RabbitAdmin rabbitAdmin) {
		admin = rabbitAdmin;
	}

	@AfterAll
	static void cleanUp() throws IOException {
		proxy.close();
		topology.delete(admin);
	}

	@Test
	void ordersWaitOnTheQueueWhileTheDatabaseIsDownAndAreStoredWhenItReturns() throws Exception {
		String sender = "user-" + UUID.randomUUID();
		proxy.cut();
		try {
			for (int i = 0; i < 3; i++) {
				publishLegacy("{\"medicationId\": \"med-" + i + "\", \"sender_userId\": \"" + sender + "\"}");
			}
			await().atMost(Duration.ofSeconds(30))
				.until(() -> this.availability.getReadinessState() == ReadinessState.REFUSING_TRAFFIC);
			assertThat(database.countOrders("sender_user_id = '" + sender + "'")).isZero();
			assertThat(admin.getQueueInfo(topology.queue()).getMessageCount()).isZero();
		}
		finally {
			proxy.restore();
		}
		await().atMost(Duration.ofSeconds(30))
			.until(() -> database.countOrders("sender_user_id = '" + sender + "'") == 3);
		await().atMost(Duration.ofSeconds(10))
			.until(() -> this.availability.getReadinessState() == ReadinessState.ACCEPTING_TRAFFIC);
		assertThat(admin.getQueueInfo(topology.deadLetterQueue()).getMessageCount()).isZero();
	}

	private static void publishLegacy(String body) {
		LegacyPublisher.publish(topology.queue(), body, null);
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
