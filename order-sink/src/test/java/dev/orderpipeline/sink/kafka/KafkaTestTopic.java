package dev.orderpipeline.sink.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.orderpipeline.testsupport.servers.TestKafka;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import org.springframework.test.context.DynamicPropertyRegistry;

import static org.awaitility.Awaitility.await;

/**
 * An orders topic of one test class's own on the test run's Kafka broker, with its
 * dead-letter topic: records written as producers other than Spring's write them (headers
 * as UTF-8 text), dead letters read back, the sink group's members.
 */
final class KafkaTestTopic implements AutoCloseable {

	private final String name = "orders_sink_it_" + UUID.randomUUID().toString().substring(0, 8);

	private final KafkaProducer<byte[], byte[]> producer;

	KafkaTestTopic() {
		Map<String, Object> properties = new HashMap<>(TestKafka.shared().clientProperties());
		properties.put(ProducerConfig.ACKS_CONFIG, "all");
		this.producer = new KafkaProducer<>(properties, new ByteArraySerializer(), new ByteArraySerializer());
	}

	String name() {
		return this.name;
	}

	String deadLetterTopic() {
		return this.name + ".dlq";
	}

	/**
	 * Points the sink at the broker and at this topic (also its consumer group).
	 * @param registry the test's properties
	 */
	void register(DynamicPropertyRegistry registry) {
		TestKafka.shared().register(registry);
		registry.add("orders.queue", this::name);
		registry.add("orders.sink.dead-letter-queue", this::deadLetterTopic);
	}

	void send(String key, String value, Map<String, String> headers) throws Exception {
		ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(this.name, (key != null) ? bytes(key) : null,
				bytes(value));
		headers.forEach((name, header) -> record.headers().add(name, bytes(header)));
		this.producer.send(record).get(30, TimeUnit.SECONDS);
	}

	/**
	 * Writes a record to the dead-letter topic, as the sink would have.
	 */
	void sendDeadLetter(Instant sentAt, String value, Map<String, String> headers) throws Exception {
		ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(deadLetterTopic(), null, sentAt.toEpochMilli(),
				null, bytes(value));
		headers.forEach((name, header) -> record.headers().add(name, bytes(header)));
		this.producer.send(record).get(30, TimeUnit.SECONDS);
	}

	/**
	 * Reads the dead-letter topic from its start until it has given at least
	 * {@code count} records.
	 */
	List<ConsumerRecord<byte[], byte[]>> deadLetters(int count) {
		Map<String, Object> properties = new HashMap<>(TestKafka.shared().clientProperties());
		properties.put(ConsumerConfig.GROUP_ID_CONFIG, this.name + ".reader-" + UUID.randomUUID());
		properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
		try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(properties, new ByteArrayDeserializer(),
				new ByteArrayDeserializer())) {
			consumer.subscribe(List.of(deadLetterTopic()));
			List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
			await().atMost(Duration.ofSeconds(30)).until(() -> {
				consumer.poll(Duration.ofMillis(500)).forEach(records::add);
				return records.size() >= count;
			});
			return records;
		}
	}

	/**
	 * The records ever written to the dead-letter topic.
	 */
	long deadLetterCount() throws InterruptedException, ExecutionException, TimeoutException {
		try (Admin admin = Admin.create(TestKafka.shared().clientProperties())) {
			TopicPartition partition = new TopicPartition(deadLetterTopic(), 0);
			return admin.listOffsets(Map.of(partition, OffsetSpec.latest()))
				.all()
				.get(10, TimeUnit.SECONDS)
				.get(partition)
				.offset();
		}
	}

	/**
	 * The member ids of the sink's consumer group: a member thrown out and back gets a
	 * new one.
	 */
	List<String> members() throws InterruptedException, ExecutionException, TimeoutException {
		try (Admin admin = Admin.create(TestKafka.shared().clientProperties())) {
			return admin.describeConsumerGroups(List.of(this.name))
				.all()
				.get(10, TimeUnit.SECONDS)
				.get(this.name)
				.members()
				.stream()
				.map(MemberDescription::consumerId)
				.sorted()
				.toList();
		}
	}

	static String header(ConsumerRecord<byte[], byte[]> record, String name) {
		Header header = record.headers().lastHeader(name);
		return (header != null) ? new String(header.value(), StandardCharsets.UTF_8) : null;
	}

	static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

	@Override
	public void close() {
		this.producer.close(Duration.ofSeconds(5));
	}

}
