package dev.orderpipeline.sink.kafka;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

import org.springframework.kafka.core.KafkaAdmin;

/**
 * A consumer group's backlog on a topic: for each partition, the records after the
 * group's committed offset (after the first record, where the group has committed none),
 * read with the admin client on demand.
 */
class KafkaBacklog implements AutoCloseable {

	private static final long TIMEOUT_MILLIS = 3000;

	private final KafkaAdmin admin;

	private Admin client;

	KafkaBacklog(KafkaAdmin admin) {
		this.admin = admin;
	}

	/**
	 * The group's lag on the topic.
	 * @param topic the topic
	 * @param group the consumer group
	 * @return the records the group has not consumed, or {@code NaN} if the broker does
	 * not answer
	 */
	double lag(String topic, String group) {
		try {
			return records(topic, group);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return Double.NaN;
		}
		catch (ExecutionException | TimeoutException | RuntimeException ex) {
			return Double.NaN;
		}
	}

	private long records(String topic, String group) throws InterruptedException, ExecutionException, TimeoutException {
		Admin client = client();
		List<TopicPartition> partitions = client.describeTopics(List.of(topic))
			.allTopicNames()
			.get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)
			.get(topic)
			.partitions()
			.stream()
			.map((partition) -> new TopicPartition(topic, partition.partition()))
			.toList();
		Map<TopicPartition, OffsetAndMetadata> committed = client.listConsumerGroupOffsets(group)
			.partitionsToOffsetAndMetadata()
			.get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
		Map<TopicPartition, ListOffsetsResultInfo> ends = offsets(client, partitions, OffsetSpec.latest());
		Map<TopicPartition, ListOffsetsResultInfo> starts = offsets(client, partitions, OffsetSpec.earliest());
		long lag = 0;
		for (TopicPartition partition : partitions) {
			OffsetAndMetadata position = committed.get(partition);
			long from = (position != null) ? Math.max(position.offset(), starts.get(partition).offset())
					: starts.get(partition).offset();
			lag += Math.max(0, ends.get(partition).offset() - from);
		}
		return lag;
	}

	private static Map<TopicPartition, ListOffsetsResultInfo> offsets(Admin client, List<TopicPartition> partitions,
			OffsetSpec spec) throws InterruptedException, ExecutionException, TimeoutException {
		Map<TopicPartition, OffsetSpec> request = partitions.stream()
			.collect(Collectors.toMap(Function.identity(), (partition) -> spec, (a, b) -> a, HashMap::new));
		return client.listOffsets(request).all().get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
	}

	private synchronized Admin client() {
		if (this.client == null) {
			this.client = Admin.create(this.admin.getConfigurationProperties());
		}
		return this.client;
	}

	@Override
	public synchronized void close() {
		if (this.client != null) {
			this.client.close();
		}
	}

}
