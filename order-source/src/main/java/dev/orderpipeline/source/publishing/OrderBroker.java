package dev.orderpipeline.source.publishing;

import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import io.micrometer.context.ContextSnapshot;

import org.springframework.messaging.support.MessageBuilder;

/**
 * The broker as the order publisher sees it: it sends an order's message through the
 * binding and tells when the broker has durably accepted it, and whether the broker
 * refuses publishers for now. One implementation per binder, in its adapter package; each
 * sends through {@code StreamBridge}.
 */
public interface OrderBroker {

	/**
	 * Sends an order's message without blocking the caller.
	 * @param orderId the order's id: the message's id, and what the broker's answer is
	 * matched by
	 * @param message the message, body and product headers set; the adapter adds its own
	 * headers and builds it
	 * @param trace the request's trace, made current around the send so that the message
	 * carries it
	 * @return the send under way
	 */
	Publication send(UUID orderId, MessageBuilder<byte[]> message, ContextSnapshot trace);

	/**
	 * Whether the broker refuses publishers now (a memory or disk alarm, say): orders are
	 * then answered at once instead of sent.
	 * @return whether publishers are refused
	 */
	boolean refusesPublishers();

	/**
	 * An order's message on its way to the broker.
	 *
	 * @param handedOver completes once the send has returned (the message is with the
	 * broker's client), fails if it could not be sent; cancelling it withdraws a message
	 * whose send has not started, and a send under way cannot be cancelled, so this is
	 * done only once nothing is being sent any more
	 * @param accepted completes once the broker has durably accepted the message; fails
	 * with {@link PublishFailedException} when the broker refused it, or with the cause
	 * of a failed send
	 */
	record Publication(CompletableFuture<?> handedOver, CompletableFuture<Void> accepted) {

	}

}
