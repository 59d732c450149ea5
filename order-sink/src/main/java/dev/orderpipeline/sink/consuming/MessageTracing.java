package dev.orderpipeline.sink.consuming;

import java.util.Map;

import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;

/**
 * Continues each message's trace in the sink. Batch listeners get no observation of their
 * own, so every message of a batch gets a span here, a child of the W3C trace context
 * ({@code traceparent}) the message carries, which lasts until the message is settled
 * (stored or dead-lettered).
 */
final class MessageTracing {

	private static final String NO_TRACE = "00000000000000000000000000000000";

	private static final String TRACEPARENT = "traceparent";

	private final Tracer tracer;

	private final Propagator propagator;

	MessageTracing(Tracer tracer, Propagator propagator) {
		this.tracer = tracer;
		this.propagator = propagator;
	}

	static MessageTracing none() {
		return new MessageTracing(Tracer.NOOP, Propagator.NOOP);
	}

	/**
	 * Starts the span of one message.
	 * @param headers the message's headers
	 * @return the span, to end once the message is settled
	 */
	Span start(Map<String, Object> headers) {
		return this.propagator.extract(headers, MessageTracing::header)
			.name("order store")
			.kind(Span.Kind.CONSUMER)
			.start();
	}

	/**
	 * The trace a message came in, to keep with its order.
	 * @param span the message's span
	 * @param headers the message's headers
	 * @return the 32-hex-digit trace id, or {@code null} when the message carried no
	 * trace (a legacy publisher's): the span then began a trace of its own, which is not
	 * the order's
	 */
	static String traceId(Span span, Map<String, Object> headers) {
		if (!headers.containsKey(TRACEPARENT)) {
			return null;
		}
		String traceId = span.context().traceId();
		return (traceId == null || traceId.length() != 32 || NO_TRACE.equals(traceId)) ? null : traceId;
	}

	/**
	 * Makes a span current, so that log lines carry its trace id.
	 * @param span the span
	 * @return the scope to close
	 */
	Tracer.SpanInScope inScope(Span span) {
		return this.tracer.withSpan(span);
	}

	private static String header(Map<String, Object> headers, String name) {
		Object value = headers.get(name);
		return (value != null) ? value.toString() : null;
	}

}
