package dev.orderpipeline.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import dev.orderpipeline.contracts.OrderSignature;
import dev.orderpipeline.testsupport.TestSigning;
import dev.orderpipeline.testsupport.servers.TestKafka;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The run on the benchmark's KRaft broker. The ceiling is a plain producer
 * ({@code acks=all}, idempotent, the services' linger) and a plain consumer of the same
 * topic, in this JVM, with records of an order's size.
 */
final class KafkaBenchBroker implements BenchBroker {

	private static final int PARTITIONS = 4;

	@Override
	public String name() {
		return "kafka";
	}

	@Override
	public long processGroup() {
		return TestKafka.shared().processGroup();
	}

	@Override
	public List<String> arguments(String queue) {
		return Stream
			.concat(TestKafka.shared().arguments().stream(), Stream.of("--orders.binder=kafka",
					"--orders.queue=" + queue, "--orders.sink.dead-letter-queue=" + queue + ".dlq"))
			.toList();
	}

	@Override
	public void prepare(String queue) {
		createTopic(queue);
	}

	@Override
	public double ceiling(Duration duration, Path logs) throws Exception {
		String topic = "bench-ceiling-" + UUID.randomUUID().toString().substring(0, 8);
		createTopic(topic);
		AtomicBoolean producing = new AtomicBoolean(true);
		AtomicLong received = new AtomicLong();
		CountDownLatch assigned = new CountDownLatch(1);
		Thread consumer = new Thread(() -> {
			try (KafkaConsumer<byte[], byte[]> kafka = consumer(topic)) {
				kafka.subscribe(List.of(topic), new ConsumerRebalanceListener() {
					@Override
					public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
					}

					@Override
					public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
						assigned.countDown();
					}
				});
				while (producing.get()) {
					received.addAndGet(kafka.poll(Duration.ofMillis(100)).count());
				}
			}
		}, "ceiling-consumer");
		consumer.start();
		try (KafkaProducer<byte[], byte[]> producer = producer()) {
			if (!assigned.await(60, TimeUnit.SECONDS)) {
				throw new IllegalStateException("The ceiling's consumer got no partitions of " + topic);
			}
			byte[] value = new byte[200];
			long start = System.nanoTime();
			long receivedAtStart = received.get();
			long deadline = start + duration.toNanos();
			while (System.nanoTime() < deadline) {
				producer.send(new ProducerRecord<>(topic, UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8),
						value));
			}
			producer.flush();
			return (received.get() - receivedAtStart) / ((System.nanoTime() - start) / 1e9);
		}
		finally {
			producing.set(false);
			consumer.join(10_000);
			deleteTopics(List.of(topic));
		}
	}

	@Override
	public String ceilingKey() {
		return "kafkaProducerConsumerMsgPerSecond";
	}

	@Override
	public void publishBacklog(String queue, int count, String sender) throws Exception {
		try (KafkaProducer<byte[], byte[]> producer = producer()) {
			String createdAt = Instant.now().toString();
			Future<RecordMetadata> last = null;
			for (int i = 0; i < count; i++) {
				String id = UUID.randomUUID().toString();
				byte[] body = ("{\"orderId\":\"" + id + "\",\"medicationId\":\"med-backlog\",\"sender_userId\":\""
						+ sender + "\",\"status\":[\"PENDING\"],\"createdAt\":\"" + createdAt
						+ "\",\"channel\":\"API\"}")
					.getBytes(StandardCharsets.UTF_8);
				ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(queue, id.getBytes(StandardCharsets.UTF_8),
						body);
				record.headers().add(OrderSignature.HEADER, TestSigning.sign(body).getBytes(StandardCharsets.UTF_8));
				last = producer.send(record);
			}
			producer.flush();
			if (last != null) {
				last.get(30, TimeUnit.SECONDS);
			}
		}
	}

	@Override
	public void delete(String queue) throws Exception {
		deleteTopics(List.of(queue, queue + ".dlq"));
	}

	private static void createTopic(String topic) {
		try (Admin admin = Admin.create(TestKafka.shared().clientProperties())) {
			admin.createTopics(List.of(new NewTopic(topic, PARTITIONS, (short) 1))).all().get(30, TimeUnit.SECONDS);
		}
		catch (Exception ex) {
			throw new IllegalStateException("Could not create the topic " + topic, ex);
		}
	}

	private static void deleteTopics(List<String> topics) throws Exception {
		try (Admin admin = Admin.create(TestKafka.shared().clientProperties())) {
			admin.deleteTopics(topics).all().get(30, TimeUnit.SECONDS);
		}
		catch (ExecutionException ex) {
			// A topic the run never created (no dead letters) is not there to delete.
		}
	}

	private static KafkaProducer<byte[], byte[]> producer() {
		Map<String, Object> properties = new HashMap<>(TestKafka.shared().clientProperties());
		properties.put(ProducerConfig.ACKS_CONFIG, "all");
		properties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
		properties.put(ProducerConfig.LINGER_MS_CONFIG, 5);
		return new KafkaProducer<>(properties, new ByteArraySerializer(), new ByteArraySerializer());
	}

	private static KafkaConsumer<byte[], byte[]> consumer(String topic) {
		Map<String, Object> properties = new HashMap<>(TestKafka.shared().clientProperties());
		properties.put(ConsumerConfig.GROUP_ID_CONFIG, topic);
		properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
		return new KafkaConsumer<>(properties, new ByteArrayDeserializer(), new ByteArrayDeserializer());
	}

}
