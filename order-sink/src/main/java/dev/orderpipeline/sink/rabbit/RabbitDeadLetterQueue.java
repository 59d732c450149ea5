package dev.orderpipeline.sink.rabbit;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.Return;
import dev.orderpipeline.sink.deadletters.DeadLetter;
import dev.orderpipeline.sink.deadletters.DeadLetterCommandException;
import dev.orderpipeline.sink.deadletters.DeadLetters;

import org.springframework.amqp.rabbit.connection.ConnectionFactory;

/**
 * Reads and replays the dead-letter queue over a channel of its own, without ever
 * consuming the order queue. Messages are fetched unacknowledged ({@code basic.get}) and
 * go back to the dead-letter queue, in their order, when the channel closes; a replayed
 * message is acknowledged only after the broker confirmed its copy on the order queue, so
 * a command that dies leaves every message somewhere.
 */
class RabbitDeadLetterQueue implements DeadLetters {

	private final CommandChannels channels;

	private final String queue;

	private final String deadLetterQueue;

	private final int maxReplays;

	private final Duration confirmTimeout;

	/**
	 * Creates the queue's operations.
	 * @param connectionFactory the broker
	 * @param queue the order queue replayed messages go to
	 * @param deadLetterQueue the dead-letter queue
	 * @param maxReplays how often one message may be replayed
	 * @param confirmTimeout longest wait for the broker's confirm of one replayed message
	 */
	RabbitDeadLetterQueue(ConnectionFactory connectionFactory, String queue, String deadLetterQueue, int maxReplays,
			Duration confirmTimeout) {
		this.channels = new CommandChannels(connectionFactory);
		this.queue = queue;
		this.deadLetterQueue = deadLetterQueue;
		this.maxReplays = maxReplays;
		this.confirmTimeout = confirmTimeout;
	}

	@Override
	public String queue() {
		return this.queue;
	}

	@Override
	public String deadLetterQueue() {
		return this.deadLetterQueue;
	}

	@Override
	public int maxReplays() {
		return this.maxReplays;
	}

	/**
	 * One page of the dead-letter queue, in queue order; every message stays in it.
	 * @param page the page, from 1
	 * @param size messages per page
	 * @return the page and the queue's depth
	 */
	@Override
	public Page list(int page, int size) {
		return this.channels.withChannel((channel) -> {
			long depth = channel.queueDeclarePassive(this.deadLetterQueue).getMessageCount();
			long first = (long) (page - 1) * size + 1;
			long last = (long) page * size;
			List<DeadLetter> entries = new ArrayList<>();
			for (long position = 1; position <= last; position++) {
				GetResponse response = channel.basicGet(this.deadLetterQueue, false);
				if (response == null) {
					break;
				}
				if (position >= first) {
					entries.add(deadLetter(position, response.getProps()));
				}
			}
			return new Page(depth, page, size, entries);
		});
	}

	/**
	 * Republishes the selected dead letters to the order queue, each with its replay
	 * count one higher and without the failure headers, and removes each from the
	 * dead-letter queue once the broker confirmed its copy. Only the messages in the
	 * queue when the replay starts are looked at, so a message that fails again during
	 * the replay is not replayed twice.
	 * @param selection the messages to replay
	 * @param progress told of each message replayed or refused, as it happens
	 * @return what was done
	 * @throws DeadLetterCommandException if a message could not be replayed; it and every
	 * message after it stay in the dead-letter queue
	 */
	@Override
	public Replay replay(Selection selection, Progress progress) {
		return this.channels.withChannel((channel) -> {
			long depth = channel.queueDeclarePassive(this.deadLetterQueue).getMessageCount();
			channel.confirmSelect();
			AtomicReference<Return> returned = new AtomicReference<>();
			channel.addReturnListener(returned::set);
			int replayed = 0;
			int kept = 0;
			int refused = 0;
			Set<String> seen = new LinkedHashSet<>();
			for (long position = 1; position <= depth; position++) {
				GetResponse response = channel.basicGet(this.deadLetterQueue, false);
				if (response == null) {
					break;
				}
				DeadLetter deadLetter = deadLetter(position, response.getProps());
				if (deadLetter.orderId() != null) {
					seen.add(deadLetter.orderId());
					seen.add(deadLetter.messageId());
				}
				if (!selection.includes(deadLetter)) {
					kept++;
				}
				else if (deadLetter.replays() >= this.maxReplays) {
					refused++;
					progress.refused(deadLetter);
				}
				else {
					publish(channel, returned, response, deadLetter, replayed);
					channel.basicAck(response.getEnvelope().getDeliveryTag(), false);
					replayed++;
					progress.replayed(deadLetter);
				}
			}
			Set<String> unknown = new LinkedHashSet<>(selection.ids());
			unknown.removeAll(seen);
			return new Replay(replayed, kept, refused, List.copyOf(unknown));
		});
	}

	private void publish(Channel channel, AtomicReference<Return> returned, GetResponse response, DeadLetter deadLetter,
			int replayedBefore) throws IOException, InterruptedException {
		String failed = "Replay stopped after " + replayedBefore + " replayed: " + describe(deadLetter) + " ";
		channel.basicPublish("", this.queue, true, replayProperties(response.getProps(), deadLetter.replays() + 1),
				response.getBody());
		try {
			channel.waitForConfirmsOrDie(this.confirmTimeout.toMillis());
		}
		catch (TimeoutException ex) {
			throw new DeadLetterCommandException(failed + "was not confirmed by the broker within "
					+ this.confirmTimeout.toMillis() + " ms; it stays in " + this.deadLetterQueue, ex);
		}
		catch (IOException ex) {
			throw new DeadLetterCommandException(
					failed + "was refused by the broker (nack); it stays in " + this.deadLetterQueue, ex);
		}
		if (returned.get() != null) {
			throw new DeadLetterCommandException(failed + "could not be routed: no queue " + this.queue + " ("
					+ returned.get().getReplyText() + "); it stays in " + this.deadLetterQueue, null);
		}
	}

	/**
	 * The properties of a replayed message: the dead letter's own (message id, timestamp,
	 * content type, delivery mode, headers such as {@code traceparent}), without the
	 * failure headers of the sink, with the replay count. The user id goes: the broker
	 * refuses a message whose user id is not the publishing user's.
	 */
	private static AMQP.BasicProperties replayProperties(AMQP.BasicProperties properties, int replayCount) {
		Map<String, Object> headers = new LinkedHashMap<>();
		if (properties.getHeaders() != null) {
			headers.putAll(properties.getHeaders());
		}
		DeadLetter.FAILURE_HEADERS.forEach(headers::remove);
		headers.put(DeadLetter.REPLAY_COUNT_HEADER, replayCount);
		return properties.builder().headers(headers).userId(null).build();
	}

	private static DeadLetter deadLetter(long position, AMQP.BasicProperties properties) {
		return DeadLetter.of(position, properties.getMessageId(),
				(properties.getTimestamp() != null) ? properties.getTimestamp().toInstant() : null,
				(properties.getHeaders() != null) ? properties.getHeaders() : Map.of());
	}

	private static String describe(DeadLetter deadLetter) {
		return "the message at position " + deadLetter.position()
				+ ((deadLetter.orderId() != null) ? " (order " + deadLetter.orderId() + ")" : "");
	}

}
