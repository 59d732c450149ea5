package dev.orderpipeline.sink.deadletters;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The dead-letter queue as the commands see it: a page of what is in it, and replaying
 * chosen messages to the order queue. Implemented by the adapter of the broker in use,
 * which never consumes the order queue and removes a message only once its copy is safe.
 */
public interface DeadLetters {

	/**
	 * The order queue replayed messages go to.
	 * @return its name
	 */
	String queue();

	/**
	 * The dead-letter queue.
	 * @return its name
	 */
	String deadLetterQueue();

	/**
	 * How often one message may be replayed.
	 * @return the cap
	 */
	int maxReplays();

	/**
	 * One page of the dead-letter queue, in queue order; every message stays in it.
	 * @param page the page, from 1
	 * @param size messages per page
	 * @return the page and the queue's depth
	 * @throws DeadLetterCommandException if the broker cannot be reached or refuses
	 */
	Page list(int page, int size);

	/**
	 * Replays the selected messages to the order queue, each removed from the dead-letter
	 * queue only after the broker confirmed its copy; messages at the cap stay.
	 * @param selection which messages
	 * @param progress told of each selected message
	 * @return what was done
	 * @throws DeadLetterCommandException if the replay stopped; the message says where
	 */
	Replay replay(Selection selection, Progress progress);

	/**
	 * Which dead letters to replay.
	 *
	 * @param all every one
	 * @param ids else those whose order id, or {@code message_id}, is one of these (the
	 * two differ for legacy messages, and for messages of a version that did not sign,
	 * whose order id is their {@code message_id})
	 */
	public record Selection(boolean all, Set<String> ids) {

		public Selection {
			ids = Collections.unmodifiableSet(new LinkedHashSet<>(ids));
		}

		public boolean includes(DeadLetter deadLetter) {
			return this.all || (deadLetter.orderId() != null
					&& (this.ids.contains(deadLetter.orderId()) || this.ids.contains(deadLetter.messageId())));
		}

	}

	/**
	 * One page of the dead-letter queue.
	 *
	 * @param depth the messages in the queue
	 * @param page the page, from 1
	 * @param size messages per page
	 * @param entries the messages of the page, in queue order
	 */
	public record Page(long depth, int page, int size, List<DeadLetter> entries) {

		public long pages() {
			return (this.depth + this.size - 1) / this.size;
		}

	}

	/**
	 * What a replay did.
	 *
	 * @param replayed messages republished to the order queue
	 * @param kept messages not selected, still in the dead-letter queue
	 * @param refused selected messages that reached the replay cap, still in the
	 * dead-letter queue
	 * @param unknownIds selected order ids that are not in the dead-letter queue
	 */
	public record Replay(int replayed, int kept, int refused, List<String> unknownIds) {

	}

	/**
	 * Told of each selected message as it is handled.
	 */
	public interface Progress {

		void replayed(DeadLetter deadLetter);

		void refused(DeadLetter deadLetter);

	}

}
