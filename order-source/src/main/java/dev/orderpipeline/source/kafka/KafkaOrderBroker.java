package dev.orderpipeline.source.kafka;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import dev.orderpipeline.source.publishing.OrderBroker;
import dev.orderpipeline.source.publishing.SendBatcher;
import io.micrometer.context.ContextSnapshot;

import org.springframework.cloud.stream.function.StreamBridge;
import org.springframework.kafka.support.KafkaHeaders;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessagingException;
import org.springframework.messaging.support.ErrorMessage;
import org.springframework.messaging.support.MessageBuilder;

/**
 * Orders through the Kafka binder, keyed by the order id (an order's later records stay
 * in its partition, orders spread over partitions), with the broker's acknowledgement of
 * the record ({@code acks=all}, idempotent producer) as its acceptance: the binder hands
 * each record's metadata, or its send failure, back as a message carrying the correlation
 * header set here, which the header mapper keeps off the record. Sends go out from the
 * {@link SendBatcher}'s thread: the producer blocks its caller while it has no metadata
 * for the topic.
 */
class KafkaOrderBroker implements OrderBroker {

	/** The header that ties a send result to its order; never written to the record. */
	static final String CORRELATION_HEADER = "order_correlation";

	private final StreamBridge streamBridge;

	private final String binding;

	private final SendBatcher sender;

	private final AtomicLong sequence = new AtomicLong();

	private final Map<String, CompletableFuture<Void>> pending = new ConcurrentHashMap<>();

	KafkaOrderBroker(StreamBridge streamBridge, String binding, SendBatcher sender) {
		this.streamBridge = streamBridge;
		this.binding = binding;
		this.sender = sender;
	}

	@Override
	public Publication send(UUID orderId, MessageBuilder<byte[]> message, ContextSnapshot trace) {
		String correlation = Long.toString(this.sequence.incrementAndGet());
		Message<byte[]> keyed = message.setHeader(KafkaHeaders.KEY, orderId.toString().getBytes(StandardCharsets.UTF_8))
			.setHeader(CORRELATION_HEADER, correlation)
			.build();
		CompletableFuture<Void> acknowledged = new CompletableFuture<>();
		this.pending.put(correlation, acknowledged);
		acknowledged.whenComplete((done, ex) -> this.pending.remove(correlation));
		CompletableFuture<Boolean> handedOver = this.sender
			.send(trace.wrap(() -> this.streamBridge.send(this.binding, keyed)));
		handedOver.whenComplete((sent, ex) -> {
			if (ex != null) {
				acknowledged.completeExceptionally(ex);
			}
			else if (!Boolean.TRUE.equals(sent)) {
				acknowledged.completeExceptionally(new IllegalStateException("The binding refused the message"));
			}
		});
		return new Publication(handedOver, acknowledged, () -> handedOver.cancel(false));
	}

	@Override
	public boolean refusesPublishers() {
		// The producer applies its own back-pressure (buffer.memory, max.block.ms),
		// answered as a failed or late send.
		return false;
	}

	/**
	 * A record the broker acknowledged.
	 * @param metadata the sent message, with its headers and the record's metadata
	 */
	void acknowledged(Message<?> metadata) {
		CompletableFuture<Void> acknowledged = this.pending.get(correlation(metadata));
		if (acknowledged != null) {
			acknowledged.complete(null);
		}
	}

	/**
	 * A record the producer could not send.
	 * @param error the failure, with the message that failed
	 */
	void failed(ErrorMessage error) {
		if (error.getPayload() instanceof MessagingException failure && failure.getFailedMessage() != null) {
			CompletableFuture<Void> acknowledged = this.pending.get(correlation(failure.getFailedMessage()));
			if (acknowledged != null) {
				acknowledged.completeExceptionally(failure);
			}
		}
	}

	private static String correlation(Message<?> message) {
		Object correlation = message.getHeaders().get(CORRELATION_HEADER);
		return (correlation != null) ? correlation.toString() : "";
	}

}
