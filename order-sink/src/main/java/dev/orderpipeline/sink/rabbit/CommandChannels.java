package dev.orderpipeline.sink.rabbit;

import java.io.IOException;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ShutdownSignalException;
import dev.orderpipeline.sink.deadletters.DeadLetterCommandException;

import org.springframework.amqp.AmqpException;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;

/**
 * The dead-letter commands' channels: one per operation, aborted after it, so every
 * message it fetched unacknowledged goes back to its queue. The broker's refusals become
 * a {@link DeadLetterCommandException} with the broker's own words.
 */
final class CommandChannels {

	private final ConnectionFactory connectionFactory;

	CommandChannels(ConnectionFactory connectionFactory) {
		this.connectionFactory = connectionFactory;
	}

	/**
	 * Runs an operation on a channel of its own.
	 * @param <T> the operation's result
	 * @param callback the operation
	 * @return its result
	 * @throws DeadLetterCommandException if the broker cannot be reached or refused
	 */
	<T> T withChannel(ChannelCallback<T> callback) {
		Channel channel;
		try {
			channel = this.connectionFactory.createConnection().getDelegate().createChannel();
		}
		catch (AmqpException | IOException ex) {
			throw new DeadLetterCommandException("Cannot connect to RabbitMQ at " + this.connectionFactory.getHost()
					+ ":" + this.connectionFactory.getPort() + ": " + mostSpecificMessage(ex), ex);
		}
		try {
			return callback.doWith(channel);
		}
		catch (IOException | ShutdownSignalException ex) {
			throw new DeadLetterCommandException("RabbitMQ refused: " + mostSpecificMessage(ex), ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new DeadLetterCommandException("Interrupted", ex);
		}
		finally {
			// Closing the channel puts every message it holds unacknowledged back.
			abort(channel);
		}
	}

	private static void abort(Channel channel) {
		try {
			channel.abort();
		}
		catch (IOException ex) {
			// Closed already: the broker has put the messages back.
		}
	}

	private static String mostSpecificMessage(Throwable ex) {
		String message = ex.getMessage();
		for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
			if (cause instanceof ShutdownSignalException shutdown
					&& shutdown.getReason() instanceof AMQP.Channel.Close close) {
				return close.getReplyText();
			}
			if (cause instanceof ShutdownSignalException shutdown
					&& shutdown.getReason() instanceof AMQP.Connection.Close close) {
				return close.getReplyText();
			}
			if (cause.getMessage() != null) {
				message = cause.getMessage();
			}
		}
		return message;
	}

	@FunctionalInterface
	interface ChannelCallback<T> {

		T doWith(Channel channel) throws IOException, InterruptedException;

	}

}
