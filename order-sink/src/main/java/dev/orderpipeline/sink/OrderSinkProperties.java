package dev.orderpipeline.sink;

import java.time.Duration;
import java.time.Instant;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Settings of the order store.
 *
 * @param deadLetterQueue the queue that receives messages that can never be stored, with
 * their cause. Default {@code create_order_queue.dlq}.
 * @param deadLetterExchange the fanout exchange in front of the dead-letter queue, for a
 * broker policy to dead-letter what the sink rejects. Default
 * {@code create_order_queue.dlx}.
 * @param writeTimeout longest wait for one batch write before it counts as failed and is
 * retried. Default 30 seconds.
 * @param confirmTimeout longest wait for the broker to confirm a dead-lettered message.
 * Default 10 seconds.
 * @param retryInitialInterval first pause after a transient failure. Default 500 ms.
 * @param retryMaxInterval longest pause between retries; retries go on for as long as the
 * failure lasts. Default 15 seconds.
 * @param retryMultiplier growth of the pause from one retry to the next. Default 2.
 * @param retryHold longest time one delivery is held in the retry loop before it is
 * handed back to the binder for redelivery, for a binder whose consumer must return to
 * the broker within a set time (Kafka's {@code max.poll.interval.ms}). Default none: the
 * delivery is held for as long as the failure lasts.
 * @param batchReceiveTimeout longest wait for a batch to fill before the messages
 * received so far are stored. Default 20 ms.
 * @param maxMessageSize largest message body stored: a larger one is dead-lettered as
 * {@code oversized} before it is read. Orders are a few hundred bytes. Default 64KB.
 * @param acceptUnsignedUntil until when a message with order-source's fields and no
 * signature is still stored as it is: for an upgrade from a version that did not sign,
 * set it past the time the last such message can rest in the queue or the dead-letter
 * queue, then remove it. Default none: such messages are dead-lettered as unverified.
 */
@ConfigurationProperties("orders.sink")
public record OrderSinkProperties(@DefaultValue("create_order_queue.dlq") String deadLetterQueue,
		@DefaultValue("create_order_queue.dlx") String deadLetterExchange, @DefaultValue("30s") Duration writeTimeout,
		@DefaultValue("10s") Duration confirmTimeout, @DefaultValue("500ms") Duration retryInitialInterval,
		@DefaultValue("15s") Duration retryMaxInterval, @DefaultValue("2") double retryMultiplier, Duration retryHold,
		@DefaultValue("20ms") Duration batchReceiveTimeout, @DefaultValue("64KB") DataSize maxMessageSize,
		Instant acceptUnsignedUntil) {

}
