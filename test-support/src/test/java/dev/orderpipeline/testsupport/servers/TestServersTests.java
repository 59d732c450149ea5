package dev.orderpipeline.testsupport.servers;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The servers a test run owns: isolated from the machine's, password-protected, and gone
 * when the run ends, however it ends.
 */
class TestServersTests {

	@Test
	void postgresqlListensOnAPortOfItsOwnAndRefusesConnectionsWithoutThePassword() throws SQLException {
		TestPostgresql postgresql = TestPostgresql.shared();
		assertThat(postgresql.port()).isNotEqualTo(5432);
		String url = "jdbc:postgresql://" + postgresql.server() + "/postgres";
		assertThatExceptionOfType(SQLException.class)
			.isThrownBy(() -> DriverManager.getConnection(url, postgresql.user(), ""));
		assertThatExceptionOfType(SQLException.class)
			.isThrownBy(() -> DriverManager.getConnection(url, postgresql.user(), "wrong"));
		try (var connection = DriverManager.getConnection(url, postgresql.user(), postgresql.password())) {
			assertThat(connection.isValid(2)).isTrue();
		}
	}

	@Test
	void postgresqlStopsAndStartsAgainWithItsData() throws SQLException {
		TestPostgresql postgresql = TestPostgresql.shared();
		String url = "jdbc:postgresql://" + postgresql.server() + "/postgres";
		try (var connection = DriverManager.getConnection(url, postgresql.user(), postgresql.password())) {
			connection.createStatement().execute("CREATE TABLE IF NOT EXISTS kept (id int)");
		}
		postgresql.stop();
		assertThatExceptionOfType(SQLException.class)
			.isThrownBy(() -> DriverManager.getConnection(url, postgresql.user(), postgresql.password()));
		postgresql.start();
		try (var connection = DriverManager.getConnection(url, postgresql.user(), postgresql.password())) {
			assertThat(connection.createStatement().executeQuery("SELECT to_regclass('kept') IS NOT NULL").next())
				.isTrue();
		}
	}

	@Test
	void rabbitMqListensOnAPortOfItsOwnAndItsApplicationStopsAndStarts() {
		TestRabbitMq rabbitMq = TestRabbitMq.shared();
		assertThat(rabbitMq.port()).isNotEqualTo(5672);
		assertThat(rabbitMq.accepting()).isTrue();
		rabbitMq.stopApplication();
		assertThat(rabbitMq.accepting()).isFalse();
		rabbitMq.startApplication();
		assertThat(rabbitMq.accepting()).isTrue();
	}

	@Test
	void kafkaListensOnAPortOfItsOwnKeepsARecordAndStopsAndStartsAgainWithItsData() throws Exception {
		TestKafka kafka = TestKafka.shared();
		assertThat(kafka.bootstrapServers()).startsWith("127.0.0.1:").isNotEqualTo("127.0.0.1:9092");
		String topic = "kept-" + UUID.randomUUID();
		Map<String, Object> producer = new HashMap<>(kafka.clientProperties());
		producer.put(ProducerConfig.ACKS_CONFIG, "all");
		try (KafkaProducer<String, String> records = new KafkaProducer<>(producer, new StringSerializer(),
				new StringSerializer())) {
			records.send(new ProducerRecord<>(topic, "key", "value")).get(30, TimeUnit.SECONDS);
		}
		kafka.stop();
		assertThat(kafka.answering()).isFalse();
		kafka.start();
		Map<String, Object> consumer = new HashMap<>(kafka.clientProperties());
		consumer.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
		consumer.put(ConsumerConfig.GROUP_ID_CONFIG, topic);
		try (KafkaConsumer<String, String> records = new KafkaConsumer<>(consumer, new StringDeserializer(),
				new StringDeserializer())) {
			records.subscribe(List.of(topic));
			List<String> values = new ArrayList<>();
			await().atMost(Duration.ofSeconds(60)).until(() -> {
				records.poll(Duration.ofMillis(500)).forEach((record) -> values.add(record.value()));
				return !values.isEmpty();
			});
			assertThat(values).containsExactly("value");
		}
	}

	@Test
	void theServersAndChildrenOfAKilledRunStopAndTheNextRunRemovesItsDirectory() throws Exception {
		// This run's own directory first: preparing it reaps abandoned runs.
		Path own = TestRun.current().directory();
		Process run = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m",
				"-cp", System.getProperty("java.class.path"), AbandonedRun.class.getName())
			.redirectError(ProcessBuilder.Redirect.INHERIT)
			.start();
		Path directory;
		long child;
		try (BufferedReader output = new BufferedReader(
				new InputStreamReader(run.getInputStream(), StandardCharsets.UTF_8))) {
			List<String> said = output.lines().filter((line) -> line.startsWith(AbandonedRun.SAYS)).limit(2).toList();
			directory = Path.of(said.get(0).substring(AbandonedRun.SAYS.length()));
			child = Long.parseLong(said.get(1).substring(AbandonedRun.SAYS.length()));
		}
		finally {
			run.destroyForcibly();
		}
		assertThat(run.waitFor(30, TimeUnit.SECONDS)).isTrue();
		List<String> groups = processGroups(directory);
		assertThat(groups).hasSize(2);
		await("the killed run's servers stopped").atMost(Duration.ofSeconds(60))
			.until(() -> groups.stream().noneMatch(TestServersTests::anyProcessIn));
		await("the killed run's child gone").atMost(Duration.ofSeconds(30))
			.until(() -> ProcessHandle.of(child).filter(ProcessHandle::isAlive).isEmpty());
		assertThat(directory).exists();
		TestRun.reapAbandonedRuns(directory.getParent());
		assertThat(directory).doesNotExist();
		assertThat(own).exists();
	}

	private static List<String> processGroups(Path directory) throws IOException {
		try (Stream<Path> files = Files.list(directory)) {
			return files.filter((file) -> file.toString().endsWith(".pgid")).map((file) -> {
				try {
					return Files.readString(file).trim();
				}
				catch (IOException ex) {
					throw new IllegalStateException(ex);
				}
			}).toList();
		}
	}

	private static boolean anyProcessIn(String group) {
		try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
			return processes.anyMatch((process) -> group.equals(TestRun.processGroup(process)));
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * A test run that starts both servers and a child process that should die with it,
	 * says where they are, and waits to be killed.
	 */
	static final class AbandonedRun {

		static final String SAYS = "abandoned run: ";

		public static void main(String[] args) throws Exception {
			TestPostgresql.shared();
			TestRabbitMq.shared();
			Process child = new ProcessBuilder(DiesWithThisJvm.command(List.of("sleep", "600"))).start();
			System.out.println(SAYS + TestRun.current().directory());
			System.out.println(SAYS + child.pid());
			System.out.flush();
			new CountDownLatch(1).await();
		}

	}

}
