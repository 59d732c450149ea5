package dev.orderpipeline.sink.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.orderpipeline.contracts.OrderSignature;
import dev.orderpipeline.sink.deadletters.DeadLetter;
import dev.orderpipeline.sink.deadletters.DeadLetterCommandException;
import dev.orderpipeline.sink.deadletters.DeadLetters;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.KafkaTemplate;

/**
 * The dead-letter topic as the commands see it. A log cannot give up one record, so the
 * topic's records still to be handled are those after the committed offset of the replay
 * group ({@link #replayGroup}): a listing reads them without committing; a replay appends
 * each selected record to the orders topic and each other one before the last selected
 * again to the end of the dead-letter topic, and moves the group's offset past a record
 * only once the broker acknowledged its copy, so a command that dies leaves every record
 * somewhere (at worst twice: a replayed order is stored once, by its id). Records are
 * read as they are handled, a poll at a time.
 */
class KafkaDeadLetters implements DeadLetters {

	private static final Duration POLL = Duration.ofMillis(500);

	private static final int REPLAYED = 0;

	private static final int KEPT = 1;

	private static final int REFUSED = 2;

	private final ConsumerFactory<?, ?> consumers;

	private final KafkaTemplate<byte[], byte[]> kafka;

	private final String topic;

	private final String deadLetterTopic;

	private final int maxReplays;

	private final Duration timeout;

	KafkaDeadLetters(ConsumerFactory<?, ?> consumers, KafkaTemplate<byte[], byte[]> kafka, String topic,
			String deadLetterTopic, int maxReplays, Duration timeout) {
		this.consumers = consumers;
		this.kafka = kafka;
		this.topic = topic;
		this.deadLetterTopic = deadLetterTopic;
		this.maxReplays = maxReplays;
		this.timeout = timeout;
	}

	/**
	 * The consumer group whose committed offsets mark what the commands have handled.
	 * @param deadLetterTopic the dead-letter topic
	 * @return the group's name
	 */
	static String replayGroup(String deadLetterTopic) {
		return deadLetterTopic + ".replay";
	}

	@Override
	public String queue() {
		return this.topic;
	}

	@Override
	public String deadLetterQueue() {
		return this.deadLetterTopic;
	}

	@Override
	public int maxReplays() {
		return this.maxReplays;
	}

	@Override
	public Page list(int page, int size) {
		try (Consumer<byte[], byte[]> consumer = consumer()) {
			Pending pending = pending(consumer);
			long first = (long) (page - 1) * size + 1;
			long last = (long) page * size;
			List<DeadLetter> entries = new ArrayList<>();
			pending.forEach(consumer, last, (position, record) -> {
				if (position >= first) {
					entries.add(deadLetter(position, record));
				}
			});
			return new Page(pending.depth(), page, size, entries);
		}
		catch (KafkaException ex) {
			throw new DeadLetterCommandException("Could not read " + this.deadLetterTopic + ": " + ex.getMessage(), ex);
		}
	}

	/**
	 * Replays in two passes over the records still to handle: the first finds the last
	 * selected one, the second handles every record up to it, so that the records after
	 * it stay where they are instead of being appended again.
	 */
	@Override
	public Replay replay(Selection selection, Progress progress) {
		try (Consumer<byte[], byte[]> consumer = consumer()) {
			Pending pending = pending(consumer);
			Set<String> seen = new LinkedHashSet<>();
			long[] lastSelected = { 0 };
			int[] counts = new int[3];
			pending.forEach(consumer, pending.depth(), (position, record) -> {
				DeadLetter deadLetter = deadLetter(position, record);
				if (deadLetter.orderId() != null) {
					seen.add(deadLetter.orderId());
					seen.add(deadLetter.messageId());
				}
				if (selection.includes(deadLetter)) {
					lastSelected[0] = position;
				}
				else {
					counts[KEPT]++;
				}
			});
			pending.forEach(consumer, lastSelected[0], (position, record) -> {
				DeadLetter deadLetter = deadLetter(position, record);
				String failed = "Replay stopped after " + counts[REPLAYED] + " replayed: " + describe(deadLetter) + " ";
				if (selection.includes(deadLetter) && deadLetter.replays() < this.maxReplays) {
					send(replayCopy(record, deadLetter.replays() + 1), failed, this.topic);
					counts[REPLAYED]++;
					progress.replayed(deadLetter);
				}
				else {
					// Kept in the dead-letter topic: appended again, as it is.
					send(new ProducerRecord<>(this.deadLetterTopic, null, record.timestamp(), record.key(),
							record.value(), record.headers()), failed, this.deadLetterTopic);
					if (selection.includes(deadLetter)) {
						counts[REFUSED]++;
						progress.refused(deadLetter);
					}
				}
				consumer.commitSync(Map.of(new TopicPartition(record.topic(), record.partition()),
						new OffsetAndMetadata(record.offset() + 1)), this.timeout);
			});
			Set<String> unknown = new LinkedHashSet<>(selection.ids());
			unknown.removeAll(seen);
			return new Replay(counts[REPLAYED], counts[KEPT], counts[REFUSED], List.copyOf(unknown));
		}
		catch (KafkaException ex) {
			throw new DeadLetterCommandException("Replay stopped: " + ex.getMessage(), ex);
		}
	}

	/**
	 * A dead letter on its way back: its value, key and headers (such as
	 * {@code traceparent} and the signature), without the sink's failure headers, with
	 * the replay count one higher.
	 */
	private ProducerRecord<byte[], byte[]> replayCopy(ConsumerRecord<byte[], byte[]> record, int replayCount) {
		ProducerRecord<byte[], byte[]> copy = new ProducerRecord<>(this.topic, null, record.timestamp(), record.key(),
				record.value());
		for (Header header : record.headers()) {
			if (!KafkaDeadLetterPublisher.SINK_HEADERS.contains(header.key())
					&& !header.key().equals(DeadLetter.REPLAY_COUNT_HEADER)) {
				copy.headers().add(header);
			}
		}
		copy.headers()
			.add(DeadLetter.REPLAY_COUNT_HEADER, Integer.toString(replayCount).getBytes(StandardCharsets.UTF_8));
		return copy;
	}

	private void send(ProducerRecord<byte[], byte[]> record, String failed, String destination) {
		try {
			this.kafka.send(record).get(this.timeout.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new DeadLetterCommandException(failed + "was interrupted; it stays in " + this.deadLetterTopic, ex);
		}
		catch (ExecutionException | TimeoutException ex) {
			throw new DeadLetterCommandException(failed + "was not acknowledged on " + destination + " within "
					+ this.timeout.toMillis() + " ms; it stays in " + this.deadLetterTopic, ex);
		}
	}

	private Consumer<byte[], byte[]> consumer() {
		Properties overrides = new Properties();
		overrides.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
		overrides.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
		overrides.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
		overrides.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
		@SuppressWarnings("unchecked")
		Consumer<byte[], byte[]> consumer = (Consumer<byte[], byte[]>) this.consumers
			.createConsumer(replayGroup(this.deadLetterTopic), "order-sink-dead-letters", null, overrides);
		return consumer;
	}

	/**
	 * The records still to handle, partition by partition: from the replay group's
	 * committed offset (or the first record) to the end the topic has now.
	 */
	private Pending pending(Consumer<byte[], byte[]> consumer) {
		List<TopicPartition> partitions = consumer.partitionsFor(this.deadLetterTopic, this.timeout)
			.stream()
			.map((partition) -> new TopicPartition(this.deadLetterTopic, partition.partition()))
			.sorted(Comparator.comparingInt(TopicPartition::partition))
			.toList();
		if (partitions.isEmpty()) {
			throw new DeadLetterCommandException("No topic " + this.deadLetterTopic, null);
		}
		Map<TopicPartition, Long> starts = consumer.beginningOffsets(partitions, this.timeout);
		Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, this.timeout);
		Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(Set.copyOf(partitions), this.timeout);
		Map<TopicPartition, long[]> ranges = new LinkedHashMap<>();
		long depth = 0;
		for (TopicPartition partition : partitions) {
			OffsetAndMetadata position = committed.get(partition);
			long from = Math.max(starts.get(partition), (position != null) ? position.offset() : 0);
			long to = ends.get(partition);
			if (to > from) {
				ranges.put(partition, new long[] { from, to });
				depth += to - from;
			}
		}
		return new Pending(ranges, depth, this.timeout);
	}

	private static DeadLetter deadLetter(long position, ConsumerRecord<byte[], byte[]> record) {
		Map<String, Object> headers = new LinkedHashMap<>();
		for (Header header : record.headers()) {
			headers.put(header.key(),
					(header.value() != null) ? new String(header.value(), StandardCharsets.UTF_8) : null);
		}
		String messageId = headers.containsKey(OrderSignature.HEADER) && record.key() != null
				? new String(record.key(), StandardCharsets.UTF_8)
				: (String) headers.get(KafkaReceivedMessages.MESSAGE_ID_HEADER);
		Object deadLetteredAt = headers.get(DeadLetter.DEAD_LETTERED_AT_HEADER);
		headers.put(DeadLetter.DEAD_LETTERED_AT_HEADER, epochMillis(deadLetteredAt));
		return DeadLetter.of(position, messageId,
				(record.timestamp() >= 0) ? Instant.ofEpochMilli(record.timestamp()) : null, headers);
	}

	private static Long epochMillis(Object text) {
		try {
			return (text != null) ? Long.valueOf(text.toString().trim()) : null;
		}
		catch (NumberFormatException ex) {
			return null;
		}
	}

	private static String describe(DeadLetter deadLetter) {
		return "the record at position " + deadLetter.position()
				+ ((deadLetter.orderId() != null) ? " (order " + deadLetter.orderId() + ")" : "");
	}

	/**
	 * The offsets to read, partition by partition, and how many records they hold.
	 */
	private record Pending(Map<TopicPartition, long[]> ranges, long depth, Duration timeout) {

		/**
		 * Reads up to {@code limit} of the records, in partition and offset order,
		 * handing each to the action as it comes with its position (from 1).
		 */
		void forEach(Consumer<byte[], byte[]> consumer, long limit, RecordAction action) {
			long position = 0;
			for (Map.Entry<TopicPartition, long[]> range : this.ranges.entrySet()) {
				TopicPartition partition = range.getKey();
				long next = range.getValue()[0];
				long end = range.getValue()[1];
				consumer.assign(List.of(partition));
				consumer.seek(partition, next);
				long deadline = System.nanoTime() + this.timeout.toNanos();
				while (next < end && position < limit) {
					List<ConsumerRecord<byte[], byte[]>> polled = consumer.poll(POLL).records(partition);
					if (polled.isEmpty() && System.nanoTime() > deadline) {
						throw new DeadLetterCommandException("No records from " + partition + " after offset " + next
								+ " within " + this.timeout.toMillis() + " ms", null);
					}
					for (ConsumerRecord<byte[], byte[]> record : polled) {
						if (record.offset() < end && position < limit) {
							action.accept(++position, record);
						}
						next = record.offset() + 1;
					}
					if (!polled.isEmpty()) {
						deadline = System.nanoTime() + this.timeout.toNanos();
					}
				}
				if (position >= limit) {
					return;
				}
			}
		}

	}

	/**
	 * What to do with one record of the dead-letter topic.
	 */
	@FunctionalInterface
	private interface RecordAction {

		void accept(long position, ConsumerRecord<byte[], byte[]> record);

	}

}
