package dev.orderpipeline.pipeline.drills;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import dev.orderpipeline.testsupport.LegacyPublisher;
import dev.orderpipeline.testsupport.RabbitTestTopology;
import dev.orderpipeline.testsupport.ServiceProcess;
import dev.orderpipeline.testsupport.TestDatabase;
import dev.orderpipeline.testsupport.servers.TestPostgresql;
import dev.orderpipeline.testsupport.servers.TestRabbitMq;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.amqp.rabbit.core.RabbitTemplate;

import static dev.orderpipeline.pipeline.drills.Drills.assertEveryAcceptedOrderStoredOnce;
import static dev.orderpipeline.pipeline.drills.Drills.assertSharedWithoutDuplicates;
import static dev.orderpipeline.pipeline.drills.Drills.brokerOutage;
import static dev.orderpipeline.pipeline.drills.Drills.killSinkThreeTimes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Fault drills: continuous load while a part of the pipeline fails, then every order
 * answered 2xx is looked up in PostgreSQL. The outages are made on the test run's own
 * RabbitMQ node and PostgreSQL cluster, never on the machine's. Run alone with
 * {@code ./mvnw verify -pl pipeline-tests -am -Dgroups=drill}.
 */
@Tag("drill")
class FaultDrillIntegrationTests {

	private static final Path LOGS = Path.of("target", "pipeline-logs");

	private static final TestDatabase database = TestDatabase.shared();

	private final RabbitTestTopology topology = new RabbitTestTopology();

	private final List<ServiceProcess> processes = new ArrayList<>();

	private static final TestRabbitMq rabbitMq = TestRabbitMq.shared();

	private static final TestPostgresql postgresql = TestPostgresql.shared();

	@AfterEach
	void cleanUp() {
		this.processes.forEach(ServiceProcess::kill);
		// Both back, should a drill have failed half-way.
		postgresql.start();
		if (!rabbitMq.accepting()) {
			rabbitMq.startApplication();
		}
		this.topology.delete();
	}

	@Test
	void everyAcceptedOrderIsStoredOnceWhenTheSinkIsKilledThreeTimes() throws Exception {
		AtomicReference<ServiceProcess> sink = new AtomicReference<>(startSink("order-sink-killed"));
		ServiceProcess source = startSource();
		// Two clients keep orders flowing and leave CPU to the restarting sink.
		OrderLoad load = OrderLoad.start(source::baseUri, 2);
		try {
			killSinkThreeTimes(sink, load, 100, this::track);
		}
		finally {
			load.close();
		}
		assertEveryAcceptedOrderStoredOnce(load);
	}

	@Test
	void onSigtermUnderLoadBothServicesFinishTheirWorkAndEveryAcceptedOrderIsStored() throws Exception {
		AtomicReference<ServiceProcess> sink = new AtomicReference<>(startSink("order-sink-sigterm"));
		AtomicReference<ServiceProcess> source = new AtomicReference<>(startSource());
		OrderLoad load = OrderLoad.start(() -> source.get().baseUri(), 4);
		try {
			await().atMost(Duration.ofSeconds(30)).until(() -> load.accepted().size() > 300);
			// SIGTERM, as an orchestrator sends: orders in flight are answered after
			// their
			// confirm, and no 2xx is given that the broker did not confirm.
			source.get().stop();
			source.set(track(source.get().restart()));
			int beforeSink = load.accepted().size();
			await().atMost(Duration.ofSeconds(30)).until(() -> load.accepted().size() > beforeSink + 300);
			// The sink finishes and acknowledges its batch, then stops.
			sink.get().stop();
			sink.set(track(sink.get().restart()));
			int afterSink = load.accepted().size();
			await().atMost(Duration.ofSeconds(30)).until(() -> load.accepted().size() > afterSink + 300);
		}
		finally {
			load.close();
		}
		assertEveryAcceptedOrderStoredOnce(load);
	}

	@Test
	void whileRabbitMqRestartsClientsGet503AndEveryConfirmedOrderIsStored() throws Exception {
		startSink("order-sink");
		ServiceProcess source = startSource();
		OrderLoad load = OrderLoad.start(source::baseUri, 8);
		try {
			brokerOutage(load, rabbitMq::stopApplication, rabbitMq::startApplication);
		}
		finally {
			load.close();
		}
		assertEveryAcceptedOrderStoredOnce(load);
	}

	@Test
	void whilePostgresqlIsDownForThirtySecondsTheSinkIsNotReadyAndNothingIsLost() throws Exception {
		ServiceProcess sink = startSink("order-sink");
		ServiceProcess source = startSource();
		OrderLoad load = OrderLoad.start(source::baseUri, 4);
		try {
			await().atMost(Duration.ofSeconds(30)).until(() -> load.accepted().size() > 200);
			postgresql.stop();
			try {
				await().atMost(Duration.ofSeconds(20)).until(() -> !sink.isReady());
				TimeUnit.SECONDS.sleep(30);
				assertThat(sink.isReady()).isFalse();
			}
			finally {
				postgresql.start();
			}
			await().atMost(Duration.ofSeconds(60)).until(sink::isReady);
		}
		finally {
			load.close();
		}
		assertEveryAcceptedOrderStoredOnce(load);
		assertThat(deadLetters()).isZero();
	}

	@Test
	void twoSinksShareTheQueueWithoutDuplicates() throws Exception {
		ServiceProcess first = startSink("order-sink-1");
		ServiceProcess second = startSink("order-sink-2");
		ServiceProcess source = startSource();
		OrderLoad load = OrderLoad.start(source::baseUri, 8);
		try {
			await().atMost(Duration.ofSeconds(60)).until(() -> load.accepted().size() > 2000);
		}
		finally {
			load.close();
		}
		assertEveryAcceptedOrderStoredOnce(load);
		assertSharedWithoutDuplicates(load, first, second);
	}

	@Test
	void aPoisonMessageMidStreamIsDeadLetteredWithItsCauseAndTheStreamKeepsFlowing() throws Exception {
		startSink("order-sink");
		ServiceProcess source = startSource();
		OrderLoad load = OrderLoad.start(source::baseUri, 4);
		try {
			await().atMost(Duration.ofSeconds(30)).until(() -> load.accepted().size() > 200);
			LegacyPublisher.publish(this.topology.queue(), "{\"medicationId\": \"m\", \"sender_userId\": [\"poison\"]}",
					null);
			int acceptedAtPoison = load.accepted().size();
			await().atMost(Duration.ofSeconds(30)).until(() -> load.accepted().size() > acceptedAtPoison + 500);
		}
		finally {
			load.close();
		}
		assertEveryAcceptedOrderStoredOnce(load);
		CachingConnectionFactory connectionFactory = rabbitMq.connectionFactory();
		try {
			Message poison = new RabbitTemplate(connectionFactory).receive(this.topology.deadLetterQueue(), 10_000);
			assertThat(poison).isNotNull();
			assertThat((String) poison.getMessageProperties().getHeader("x-exception-message"))
				.contains("sender_userId");
		}
		finally {
			connectionFactory.destroy();
		}
	}

	private long deadLetters() {
		CachingConnectionFactory connectionFactory = rabbitMq.connectionFactory();
		try {
			return new RabbitAdmin(connectionFactory).getQueueInfo(this.topology.deadLetterQueue()).getMessageCount();
		}
		finally {
			connectionFactory.destroy();
		}
	}

	private ServiceProcess startSink(String name) throws IOException {
		return track(ServiceProcess.start(name, Path.of(System.getProperty("pipeline.sink.jar")), LOGS,
				Stream
					.of(this.topology.arguments().stream(), Stream.of("--orders.sink.retry-max-interval=2s"),
							database.arguments().stream())
					.flatMap((arguments) -> arguments)
					.toList()));
	}

	private ServiceProcess startSource() throws IOException {
		return track(
				ServiceProcess
					.start("order-source", Path.of(System.getProperty("pipeline.source.jar")), LOGS,
							Stream
								.concat(this.topology.arguments().stream(),
										Stream.of("--orders.source.confirm-timeout=3s",
												// One sender drives the whole load.
												"--orders.source.rate-limit.enabled=false"))
								.toList()));
	}

	private ServiceProcess track(ServiceProcess process) {
		this.processes.add(process);
		return process;
	}

}
