package dev.orderpipeline.source.http;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;

import dev.orderpipeline.source.OrderSourceProperties;

/**
 * How many streams of orders are open, on this instance and per caller: each may hold up
 * to a result per line for a client that has not read them yet, so their number bounds
 * what streams can make the service hold.
 */
final class StreamSlots {

	private final int maxStreams;

	private final int maxStreamsPerCaller;

	private final AtomicInteger open = new AtomicInteger();

	private final ConcurrentMap<String, AtomicInteger> openByCaller = new ConcurrentHashMap<>();

	StreamSlots(OrderSourceProperties properties) {
		this.maxStreams = properties.stream().maxStreams();
		this.maxStreamsPerCaller = properties.stream().maxStreamsPerCaller();
	}

	/**
	 * Takes a slot for a caller's stream.
	 * @param caller the caller's name, or an empty string for anonymous callers
	 * @return what gives the slot back
	 * @throws TooManyStreamsException when the caller or the instance has every slot
	 * taken
	 */
	Runnable take(String caller) {
		// The caller's own limit first: a caller at it is told so whatever the others do.
		AtomicInteger mine = this.openByCaller.compute(caller, (name, count) -> {
			AtomicInteger taken = (count != null) ? count : new AtomicInteger();
			taken.incrementAndGet();
			return taken;
		});
		if (mine.get() > this.maxStreamsPerCaller) {
			releaseCallers(caller);
			throw new TooManyStreamsException(true, this.maxStreamsPerCaller);
		}
		if (this.open.incrementAndGet() > this.maxStreams) {
			this.open.decrementAndGet();
			releaseCallers(caller);
			throw new TooManyStreamsException(false, this.maxStreams);
		}
		return () -> {
			this.open.decrementAndGet();
			releaseCallers(caller);
		};
	}

	private void releaseCallers(String caller) {
		this.openByCaller.computeIfPresent(caller, (name, count) -> (count.decrementAndGet() == 0) ? null : count);
	}

}
