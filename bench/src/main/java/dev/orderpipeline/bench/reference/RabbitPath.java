package dev.orderpipeline.bench.reference;

import java.io.IOException;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.MessageProperties;

/**
 * REFERENCE, NOT PRODUCT CODE (see {@link MinimalPipeline}): RabbitMQ's Java client with
 * asynchronous publisher confirms on one channel, and a consumer with manual
 * acknowledgements whose deliveries a writer thread stores in batches.
 */
final class RabbitPath implements MinimalPipeline.Broker {

	private final com.rabbitmq.client.Connection publishing;

	private final com.rabbitmq.client.Connection consuming;

	private final Channel channel;

	private final String queue;

	private final ConcurrentNavigableMap<Long, CompletableFuture<Void>> unconfirmed = new ConcurrentSkipListMap<>();

	private final Thread writer;

	RabbitPath(String uri, String queue, MinimalPipeline.Rows rows) throws Exception {
		this.queue = queue;
		ConnectionFactory factory = new ConnectionFactory();
		factory.setUri(uri);
		factory.useNio();
		this.publishing = factory.newConnection("reference-publisher");
		this.channel = this.publishing.createChannel();
		this.channel.queueDeclare(queue, true, false, false, null);
		this.channel.confirmSelect();
		this.channel.addConfirmListener((tag, multiple) -> confirmed(tag, multiple, null),
				(tag, multiple) -> confirmed(tag, multiple, new IOException("nacked")));
		this.consuming = factory.newConnection("reference-consumer");
		Channel consumer = this.consuming.createChannel();
		consumer.basicQos(2 * MinimalPipeline.BATCH);
		BlockingQueue<Delivery> deliveries = new LinkedBlockingQueue<>();
		consumer.basicConsume(queue, false, new DefaultConsumer(consumer) {
			@Override
			public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
				deliveries.add(new Delivery(envelope.getDeliveryTag(), body));
			}
		});
		this.writer = new Thread(() -> write(rows, consumer, deliveries), "reference-writer");
		this.writer.setDaemon(true);
		this.writer.start();
	}

	@Override
	public CompletableFuture<Void> publish(String orderId, byte[] message) {
		CompletableFuture<Void> confirm = new CompletableFuture<>();
		// A channel is not shared between threads: one publish at a time.
		synchronized (this.channel) {
			long tag = this.channel.getNextPublishSeqNo();
			try {
				this.unconfirmed.put(tag, confirm);
				this.channel.basicPublish("", this.queue, MessageProperties.PERSISTENT_BASIC, message);
			}
			catch (IOException | RuntimeException ex) {
				this.unconfirmed.remove(tag);
				confirm.completeExceptionally(ex);
			}
		}
		return confirm;
	}

	private void confirmed(long tag, boolean multiple, Exception failure) {
		var confirmed = multiple ? this.unconfirmed.headMap(tag, true) : this.unconfirmed.subMap(tag, true, tag, true);
		confirmed.values().forEach((future) -> {
			if (failure == null) {
				future.complete(null);
			}
			else {
				future.completeExceptionally(failure);
			}
		});
		confirmed.clear();
	}

	private static void write(MinimalPipeline.Rows rows, Channel consumer, BlockingQueue<Delivery> deliveries) {
		try (Connection connection = rows.connect()) {
			List<Delivery> batch = new ArrayList<>(MinimalPipeline.BATCH);
			while (!Thread.currentThread().isInterrupted()) {
				Delivery first = deliveries.poll(100, TimeUnit.MILLISECONDS);
				if (first == null) {
					continue;
				}
				batch.add(first);
				deliveries.drainTo(batch, MinimalPipeline.BATCH - 1);
				MinimalPipeline.Rows.write(connection, batch.stream().map(Delivery::body).toList());
				consumer.basicAck(batch.get(batch.size() - 1).tag(), true);
				batch.clear();
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		catch (Exception ex) {
			ex.printStackTrace();
			System.exit(1);
		}
	}

	@Override
	public void close() {
		this.writer.interrupt();
		try {
			this.publishing.close();
			this.consuming.close();
		}
		catch (IOException ex) {
			// Closing at exit.
		}
	}

	private record Delivery(long tag, byte[] body) {
	}

}
