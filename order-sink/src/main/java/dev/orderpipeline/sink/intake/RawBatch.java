package dev.orderpipeline.sink.intake;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.springframework.messaging.Message;
import org.springframework.messaging.support.MessageBuilder;

/**
 * The batch the binder delivers in batch mode: a list of raw message bodies, with each
 * message's headers in {@value OrderBatchConsumer#BATCHED_HEADERS}.
 */
final class RawBatch {

	private RawBatch() {
	}

	/**
	 * The batch a message carries.
	 * @param message a message whose payload is a list of {@code byte[]} (or one
	 * {@code byte[]}, a batch of one)
	 * @return the batch, with the message's headers
	 * @throws IllegalArgumentException if the payload is neither
	 */
	static Message<List<byte[]>> of(Message<Object> message) {
		Object payload = message.getPayload();
		List<byte[]> bodies = new ArrayList<>();
		if (payload instanceof byte[] body) {
			return MessageBuilder.withPayload(List.of(body))
				.copyHeaders(message.getHeaders())
				.setHeader(OrderBatchConsumer.BATCHED_HEADERS, List.of(Map.copyOf(message.getHeaders())))
				.build();
		}
		else if (payload instanceof List<?> list) {
			for (Object element : list) {
				if (!(element instanceof byte[] body)) {
					throw new IllegalArgumentException("Expected raw message bodies, got "
							+ ((element != null) ? element.getClass().getName() : "null"));
				}
				bodies.add(body);
			}
		}
		else {
			throw new IllegalArgumentException(
					"Expected a batch of raw message bodies, got " + payload.getClass().getName());
		}
		return MessageBuilder.withPayload(bodies).copyHeaders(message.getHeaders()).build();
	}

}
