package dev.orderpipeline.bench.reference;

import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * REFERENCE, NOT PRODUCT CODE (see {@link MinimalPipeline}): a Kafka producer with
 * {@code acks=all} and idempotence, keyed by the order's id, with the services' linger;
 * and a consumer that stores each poll in batches of up to 200 rows and commits its
 * offsets after them.
 */
final class KafkaPath implements MinimalPipeline.Broker {

	private final KafkaProducer<String, byte[]> producer;

	private final KafkaConsumer<String, byte[]> consumer;

	private final String topic;

	private final Thread reader;

	KafkaPath(String bootstrap, String topic, MinimalPipeline.Rows rows) {
		this.topic = topic;
		this.producer = new KafkaProducer<>(
				Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all",
						ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true, ProducerConfig.LINGER_MS_CONFIG, 5),
				new StringSerializer(), new ByteArraySerializer());
		this.consumer = new KafkaConsumer<>(
				Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ConsumerConfig.GROUP_ID_CONFIG,
						topic + "-reference", ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
						ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
				new StringDeserializer(), new ByteArrayDeserializer());
		this.consumer.subscribe(List.of(topic));
		this.reader = new Thread(() -> read(rows), "reference-reader");
		this.reader.setDaemon(true);
		this.reader.start();
	}

	@Override
	public CompletableFuture<Void> publish(String orderId, byte[] message) {
		CompletableFuture<Void> confirm = new CompletableFuture<>();
		this.producer.send(new ProducerRecord<>(this.topic, orderId, message), (metadata, ex) -> {
			if (ex == null) {
				confirm.complete(null);
			}
			else {
				confirm.completeExceptionally(ex);
			}
		});
		return confirm;
	}

	private void read(MinimalPipeline.Rows rows) {
		try (Connection connection = rows.connect()) {
			List<byte[]> batch = new ArrayList<>(MinimalPipeline.BATCH);
			while (true) {
				for (ConsumerRecord<String, byte[]> record : this.consumer.poll(Duration.ofMillis(100))) {
					batch.add(record.value());
					if (batch.size() == MinimalPipeline.BATCH) {
						MinimalPipeline.Rows.write(connection, batch);
						batch.clear();
					}
				}
				if (!batch.isEmpty()) {
					MinimalPipeline.Rows.write(connection, batch);
					batch.clear();
				}
				this.consumer.commitSync();
			}
		}
		catch (WakeupException ex) {
			// Closing.
		}
		catch (Exception ex) {
			ex.printStackTrace();
			System.exit(1);
		}
		finally {
			this.consumer.close();
		}
	}

	@Override
	public void close() {
		this.consumer.wakeup();
		this.producer.close(Duration.ofSeconds(5));
	}

}
