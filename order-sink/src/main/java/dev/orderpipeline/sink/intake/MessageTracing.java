package dev.orderpipeline.sink.intake;

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
	 * The trace a span belongs to.
	 * @param span the span
	 * @return its 32-hex-digit trace id, or {@code null} without one
	 */
	static String traceId(Span span) {
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
