package dev.orderpipeline.pipeline.drills;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import dev.orderpipeline.testsupport.ServiceProcess;
import dev.orderpipeline.testsupport.TestDatabase;
import dev.orderpipeline.testsupport.servers.TestKafka;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static dev.orderpipeline.pipeline.drills.Drills.assertEveryAcceptedOrderStoredOnce;
import static dev.orderpipeline.pipeline.drills.Drills.assertSharedWithoutDuplicates;
import static dev.orderpipeline.pipeline.drills.Drills.brokerOutage;
import static dev.orderpipeline.pipeline.drills.Drills.killSinkThreeTimes;
import static org.awaitility.Awaitility.await;

/**
 * The fault drills on Kafka ({@code orders.binder=kafka}), with the packaged services on
 * the test run's own KRaft broker and PostgreSQL, each drill on topics of its own:
 * continuous load while a part fails, then every order answered 2xx is looked up in
 * PostgreSQL. Run alone with {@code ./mvnw verify -pl pipeline-tests -am -Dgroups=drill}.
 */
@Tag("drill")
class KafkaFaultDrillIntegrationTests {

	private static final Path LOGS = Path.of("target", "pipeline-logs");

	private static final TestDatabase database = TestDatabase.shared();

	private static final TestKafka kafka = TestKafka.shared();

	private final String topic = "orders_drill_" + UUID.randomUUID().toString().substring(0, 8);

	private final List<ServiceProcess> processes = new ArrayList<>();

	@AfterEach
	void cleanUp() {
		this.processes.forEach(ServiceProcess::kill);
		// Back, should a drill have failed half-way.
		kafka.start();
	}

	@Test
	void everyAcceptedOrderIsStoredOnceWhenTheSinkIsKilledThreeTimes() throws Exception {
		// Static membership: the restarted sink takes its partitions back at once instead
		// of after the killed one's session timeout.
		AtomicReference<ServiceProcess> sink = new AtomicReference<>(startSink("order-sink-kafka-killed",
				"--spring.cloud.stream.kafka.binder.consumer-properties.group.instance.id=order-sink-killed"));
		ServiceProcess source = startSource();
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
	void whileTheBrokerIsKilledClientsGet503AndEveryAcknowledgedOrderIsStored() throws Exception {
		startSink("order-sink-kafka");
		ServiceProcess source = startSource();
		OrderLoad load = OrderLoad.start(source::baseUri, 8);
		try {
			brokerOutage(load, kafka::kill, kafka::start);
		}
		finally {
			load.close();
		}
		assertEveryAcceptedOrderStoredOnce(load);
	}

	@Test
	void twoSinksInOneGroupShareThePartitionsWithoutDuplicates() throws Exception {
		ServiceProcess first = startSink("order-sink-kafka-1");
		ServiceProcess second = startSink("order-sink-kafka-2");
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

	private ServiceProcess startSink(String name, String... arguments) throws IOException {
		return track(ServiceProcess.start(name, Path.of(System.getProperty("pipeline.sink.jar")), LOGS, Stream
			.of(kafkaArguments(),
					Stream.of("--orders.sink.dead-letter-queue=" + this.topic + ".dlq",
							"--orders.sink.retry-max-interval=2s"),
					Stream.of(arguments), database.arguments().stream())
			.flatMap((stream) -> stream)
			.toList()));
	}

	private ServiceProcess startSource() throws IOException {
		return track(ServiceProcess.start("order-source-kafka", Path.of(System.getProperty("pipeline.source.jar")),
				LOGS, Stream.concat(kafkaArguments(),
						// One sender drives the whole load.
						Stream.of("--orders.source.rate-limit.enabled=false"))
					.toList()));
	}

	private Stream<String> kafkaArguments() {
		return Stream.concat(Stream.of("--orders.binder=kafka", "--orders.queue=" + this.topic),
				kafka.arguments().stream());
	}

	private ServiceProcess track(ServiceProcess process) {
		this.processes.add(process);
		return process;
	}

}
