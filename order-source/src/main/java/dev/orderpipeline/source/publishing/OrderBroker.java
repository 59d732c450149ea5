package dev.orderpipeline.source.publishing;

import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

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
	 * @param sendOver completes once nothing is being sent any more: the send returned
	 * (the message is with the broker's client), failed, or was withdrawn before it
	 * started
	 * @param accepted completes once the broker has durably accepted the message; fails
	 * with a {@link PublishFailedException} when the broker refused it, or with the cause
	 * of a failed send (either possibly wrapped in a
	 * {@link java.util.concurrent.CompletionException})
	 * @param withdraw withdraws the message if its send has not started; a send under way
	 * is not interrupted
	 */
	record Publication(CompletionStage<?> sendOver, CompletableFuture<Void> accepted, Runnable withdraw) {

	}

}
