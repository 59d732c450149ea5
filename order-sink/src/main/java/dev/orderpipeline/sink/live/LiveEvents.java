package dev.orderpipeline.sink.live;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

import dev.orderpipeline.sink.live.EventLog.Scope;
import dev.orderpipeline.sink.live.StreamItem.Closed;
import dev.orderpipeline.sink.live.StreamItem.Delivered;
import dev.orderpipeline.sink.live.StreamItem.Heartbeat;
import dev.orderpipeline.sink.live.StreamItem.Opened;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.r2dbc.postgresql.api.Notification;
import io.r2dbc.postgresql.api.PostgresqlConnection;
import io.r2dbc.postgresql.api.PostgresqlResult;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ValidationDepth;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.Wrapped;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.util.concurrent.Queues;
import reactor.util.retry.Retry;

import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Profile;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;

/**
 * Streams of stored orders and decided status changes, as they commit, to the clients of
 * this sink. PostgreSQL wakes it: every statement that stores orders or decides changes
 * notifies once ({@code order_events}, on any sink's connection), and this sink then
 * reads every event after the last one it read, below the horizon of running transactions
 * ({@link EventLog}), and hands each to the streams of its order and of its sender.
 * Nothing polls: only while an older transaction still runs, holding back events that
 * were notified, does it read again shortly after.
 * <p>
 * A stream first replays from the database what came after the client's position, then
 * follows live; its position only moves forward, so the two overlap without repeating or
 * skipping an event. Each stream holds at most {@link LiveProperties#buffer()} items for
 * a client that reads slower than events come; past that it is closed with the position
 * its client resumes from. On shutdown every stream is closed at once the same way.
 */
@Component
@Profile("!dead-letters")
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
public class LiveEvents implements SmartLifecycle {

	/** The channel that wakes the sinks. */
	static final String CHANNEL = "order_events";

	private static final Log logger = LogFactory.getLog(LiveEvents.class);

	/**
	 * How soon to read again while an older transaction holds back notified events: at
	 * first, then twice as late each time, up to {@link #HELD_BACK_MAX}.
	 */
	private static final Duration HELD_BACK = Duration.ofMillis(20);

	private static final Duration HELD_BACK_MAX = Duration.ofSeconds(1);

	/** How long a stream opened may wait for its client to start reading it. */
	private static final Duration UNCLAIMED = Duration.ofSeconds(30);

	private static final Duration RETRY = Duration.ofSeconds(1);

	/** Longest a read of new events may take before it counts as failed. */
	private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

	private final EventLog log;

	private final ConnectionFactory connections;

	private final DatabaseClient database;

	private final LiveProperties properties;

	private final Set<LiveStream> streams = ConcurrentHashMap.newKeySet();

	private final Map<UUID, Set<LiveStream>> byOrder = new ConcurrentHashMap<>();

	private final Map<String, Set<LiveStream>> bySender = new ConcurrentHashMap<>();

	private final Map<String, Integer> perReader = new HashMap<>();

	private final AtomicInteger readers = new AtomicInteger();

	private final AtomicLong notified = new AtomicLong();

	private final AtomicReference<Double> queueUsage = new AtomicReference<>(Double.NaN);

	private final Sinks.One<EventPosition> ready = Sinks.one();

	private final Map<String, Counter> refused = new HashMap<>();

	private final Map<String, Counter> closed = new HashMap<>();

	private final Timer lag;

	private volatile EventPosition position;

	private volatile boolean running;

	/**
	 * Reads in a row that found notified events held back; only the reader touches it.
	 */
	private int heldBack;

	private Disposable.Composite tasks = Disposables.composite();

	public LiveEvents(EventLog log, ConnectionFactory connections, DatabaseClient database, LiveProperties properties,
			MeterRegistry meters) {
		this.log = log;
		this.connections = connections;
		this.database = database;
		this.properties = properties;
		Gauge.builder("orders.live.streams", this.streams, Set::size)
			.description("Live streams open on this sink")
			.register(meters);
		Gauge.builder("orders.live.notification.queue.usage", this.queueUsage, AtomicReference::get)
			.description("The fraction of PostgreSQL's notification queue in use (pg_notification_queue_usage)")
			.register(meters);
		this.lag = Timer.builder("orders.live.lag")
			.description("From an event's write to its reading by this sink")
			.register(meters);
		for (StreamRefusedException.Reason reason : StreamRefusedException.Reason.values()) {
			this.refused.put(reason.tag(),
					Counter.builder("orders.live.streams.refused")
						.description("Live streams refused, by reason")
						.tag("reason", reason.tag())
						.register(meters));
		}
		for (String reason : List.of(StreamItem.Closed.OVERFLOW, StreamItem.Closed.SHUTDOWN,
				StreamItem.Closed.UNAVAILABLE)) {
			this.closed.put(reason,
					Counter.builder("orders.live.streams.closed")
						.description("Live streams the sink closed, by reason")
						.tag("reason", reason)
						.register(meters));
		}
	}

	/**
	 * Opens a stream.
	 * @param scope one order's or one sender's events
	 * @param reader who reads it, counted against the streams one reader may have open
	 * @param visible which of the scope's events the reader may see
	 * @param after the position to resume after; empty to start at the beginning of an
	 * order's events, or now for a sender's
	 * @return the stream's items, or {@link StreamRefusedException} when a limit is
	 * reached or the sink is stopping, or {@link PositionAheadException} for a position
	 * no event has reached
	 */
	public Mono<Flux<StreamItem>> open(Scope scope, String reader, Predicate<LiveEvent> visible, EventPosition after) {
		Mono<EventPosition> start;
		if (after != null) {
			// A position is never past the horizon when it is handed out.
			start = this.log.now()
				.flatMap(
						(now) -> after.isAfter(now) ? Mono.error(new PositionAheadException(after)) : Mono.just(after));
		}
		else {
			start = scope.ofOrder() ? Mono.just(EventPosition.START) : this.log.now();
		}
		return this.ready.asMono()
			.then(start)
			.map((from) -> register(new LiveStream(scope, reader, visible, from)).items());
	}

	private LiveStream register(LiveStream stream) {
		synchronized (this.perReader) {
			if (!this.running) {
				throw refuse(StreamRefusedException.Reason.STOPPING);
			}
			if (this.streams.size() >= this.properties.maxStreams()) {
				throw refuse(StreamRefusedException.Reason.TOTAL);
			}
			int mine = this.perReader.getOrDefault(stream.reader, 0);
			if (mine >= this.properties.maxStreamsPerReader()) {
				throw refuse(StreamRefusedException.Reason.READER);
			}
			this.perReader.put(stream.reader, mine + 1);
			this.streams.add(stream);
		}
		// A stream whose client went away before reading it would never end by itself.
		Mono.delay(UNCLAIMED).subscribe((tick) -> {
			if (!stream.claimed) {
				unregister(stream);
			}
		});
		if (stream.scope.ofOrder()) {
			this.byOrder.compute((UUID) stream.scope.key(), (key, set) -> with(set, stream));
		}
		else {
			this.bySender.compute((String) stream.scope.key(), (key, set) -> with(set, stream));
		}
		return stream;
	}

	private StreamRefusedException refuse(StreamRefusedException.Reason reason) {
		this.refused.get(reason.tag()).increment();
		return new StreamRefusedException(reason);
	}

	private void unregister(LiveStream stream) {
		if (!this.streams.remove(stream)) {
			return;
		}
		synchronized (this.perReader) {
			this.perReader.computeIfPresent(stream.reader, (reader, open) -> (open > 1) ? open - 1 : null);
		}
		if (stream.scope.ofOrder()) {
			this.byOrder.computeIfPresent((UUID) stream.scope.key(), (key, set) -> without(set, stream));
		}
		else {
			this.bySender.computeIfPresent((String) stream.scope.key(), (key, set) -> without(set, stream));
		}
	}

	private static Set<LiveStream> with(Set<LiveStream> streams, LiveStream stream) {
		Set<LiveStream> with = (streams != null) ? streams : ConcurrentHashMap.newKeySet();
		with.add(stream);
		return with;
	}

	private static Set<LiveStream> without(Set<LiveStream> streams, LiveStream stream) {
		streams.remove(stream);
		return streams.isEmpty() ? null : streams;
	}

	/**
	 * Reads what was written since the last read, unless a read is running: then that
	 * read goes on once more when it ends.
	 */
	void wake() {
		if (this.running && this.readers.getAndIncrement() == 0) {
			read();
		}
	}

	private void read() {
		int wakeups = this.readers.get();
		catchUp().timeout(READ_TIMEOUT).onErrorResume((ex) -> {
			logger.warn("Reading new events for live streams failed (tried again in " + RETRY + "): " + ex);
			Mono.delay(RETRY).subscribe((tick) -> wake());
			return Mono.empty();
		}).doFinally((signal) -> {
			if (this.readers.addAndGet(-wakeups) != 0) {
				read();
			}
		}).subscribe();
	}

	private Mono<Void> catchUp() {
		EventPosition from = this.position;
		if (from == null) {
			return Mono.empty();
		}
		if (this.streams.isEmpty()) {
			// Nobody follows: move on without reading the events. The horizon is taken
			// before looking again, so a stream opened meanwhile replays up to it.
			return this.log.now().doOnNext((now) -> {
				if (this.streams.isEmpty() && now.isAfter(this.position)) {
					this.position = now;
				}
			}).flatMap((now) -> this.streams.isEmpty() ? Mono.empty() : catchUp());
		}
		return this.log.after(Scope.ALL, from, this.properties.page()).flatMap((page) -> {
			deliver(page.events());
			EventPosition read = page.events().isEmpty() ? from
					: page.events().get(page.events().size() - 1).position();
			if (page.events().size() == this.properties.page()) {
				this.position = read;
				return catchUp();
			}
			EventPosition horizon = new EventPosition(page.horizon(), 0);
			this.position = horizon.isAfter(read) ? horizon : read;
			if (this.notified.get() >= page.horizon()) {
				// A notified transaction is not below the horizon yet: an older one runs.
				Duration delay = HELD_BACK.multipliedBy(1L << Math.min(this.heldBack++, 6));
				Mono.delay((delay.compareTo(HELD_BACK_MAX) < 0) ? delay : HELD_BACK_MAX).subscribe((tick) -> wake());
			}
			else {
				this.heldBack = 0;
			}
			return Mono.empty();
		});
	}

	private void deliver(List<LiveEvent> events) {
		Instant now = Instant.now();
		for (LiveEvent event : events) {
			this.lag.record(Duration.between(event.writtenAt(), now));
			// One item for every stream of the event's order and sender.
			Delivered delivered = new Delivered(event);
			offer(this.byOrder.get(event.orderId()), delivered);
			if (event.sender() != null) {
				offer(this.bySender.get(event.sender()), delivered);
			}
		}
	}

	private static void offer(Set<LiveStream> streams, Delivered delivered) {
		if (streams != null) {
			streams.forEach((stream) -> stream.offer(delivered));
		}
	}

	private void heartbeat() {
		EventPosition at = this.position;
		if (at != null) {
			Heartbeat heartbeat = new Heartbeat(at);
			this.streams.forEach((stream) -> stream.offer(heartbeat));
		}
	}

	private Flux<Notification> listen() {
		ConnectionFactory factory = this.connections;
		while (factory instanceof Wrapped<?> wrapped && wrapped.unwrap() instanceof ConnectionFactory inner) {
			factory = inner;
		}
		ConnectionFactory direct = factory;
		// A connection of its own, outside the pool: it listens for as long as the sink
		// runs.
		return Flux
			.usingWhen(Mono.from(direct.create()).cast(PostgresqlConnection.class),
					(connection) -> connection.createStatement("LISTEN " + CHANNEL)
						.execute()
						.flatMap(PostgresqlResult::getRowsUpdated)
						.then(Mono.fromRunnable(this::wake))
						.thenMany(Flux.merge(connection.getNotifications(), alive(connection))),
					Connection::close)
			.concatWith(Mono.error(() -> new IllegalStateException("the listening connection closed")));
	}

	/**
	 * Fails when the listening connection stops answering (a half-open connection never
	 * fails by itself): the listener then connects again and reads what it missed.
	 */
	private Flux<Notification> alive(PostgresqlConnection connection) {
		return Flux.interval(this.properties.queueCheck())
			.onBackpressureDrop()
			.concatMap((tick) -> Mono.from(connection.validate(ValidationDepth.REMOTE))
				.timeout(READ_TIMEOUT)
				.filter(Boolean::booleanValue)
				.switchIfEmpty(Mono.error(() -> new IllegalStateException("the listening connection does not answer"))),
					0)
			.thenMany(Flux.empty());
	}

	private Mono<Void> checkQueue() {
		return this.database
			.sql("SELECT pg_notification_queue_usage() AS usage, coalesce(nullif(current_setting("
					+ "'orders.notify_queue_limit', true), '')::float8, 0.5) AS notify_limit")
			.map((row) -> {
				double usage = row.get("usage", Double.class);
				this.queueUsage.set(usage);
				return usage >= row.get("notify_limit", Double.class);
			})
			.one()
			.doOnNext((held) -> {
				if (held) {
					logger.warn("PostgreSQL's notification queue is " + this.queueUsage.get()
							+ " full: writes no longer notify, live streams read on each check until it drains "
							+ "(a listening session that stopped reading holds it)");
					wake();
				}
			})
			.then()
			.onErrorResume((ex) -> {
				logger.warn("Measuring PostgreSQL's notification queue failed: " + ex);
				return Mono.empty();
			});
	}

	@Override
	public void start() {
		synchronized (this.perReader) {
			this.running = true;
		}
		this.tasks = Disposables.composite();
		this.tasks.add(this.log.now()
			.retryWhen(Retry.backoff(Long.MAX_VALUE, RETRY)
				.maxBackoff(Duration.ofSeconds(30))
				.doBeforeRetry((retry) -> logger.warn("Live streams wait for the database: " + retry.failure())))
			.subscribe((now) -> {
				this.position = now;
				this.ready.tryEmitValue(now);
				wake();
			}));
		this.tasks.add(listen().doOnNext((notification) -> {
			String xid = notification.getParameter();
			if (xid != null && !xid.isEmpty()) {
				this.notified.accumulateAndGet(Long.parseLong(xid), Math::max);
			}
			wake();
		})
			.retryWhen(Retry.backoff(Long.MAX_VALUE, RETRY)
				.maxBackoff(Duration.ofSeconds(30))
				.transientErrors(true)
				.doBeforeRetry((retry) -> logger
					.warn("Listening for new events failed (live streams wait until it listens again): "
							+ retry.failure())))
			.subscribe());
		this.tasks.add(Flux.interval(this.properties.heartbeat()).subscribe((tick) -> heartbeat()));
		this.tasks.add(Flux.interval(Duration.ZERO, this.properties.queueCheck())
			.onBackpressureDrop()
			.concatMap((tick) -> checkQueue(), 0)
			.subscribe());
	}

	/**
	 * Closes every stream at once with the position its client resumes from, and refuses
	 * new ones.
	 */
	@Override
	public void stop() {
		synchronized (this.perReader) {
			this.running = false;
		}
		this.streams.forEach((stream) -> stream.close(StreamItem.Closed.SHUTDOWN));
		this.tasks.dispose();
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	/**
	 * One client's stream.
	 */
	private final class LiveStream {

		private final Scope scope;

		private final String reader;

		private final Predicate<LiveEvent> visible;

		private final EventPosition start;

		private final Sinks.Many<StreamItem> live;

		private volatile String closedBy;

		/** Whether its client started reading it. */
		private volatile boolean claimed;

		/** The last position sent, moved by the stream's own (serial) subscriber only. */
		private EventPosition last;

		LiveStream(Scope scope, String reader, Predicate<LiveEvent> visible, EventPosition start) {
			this.scope = scope;
			this.reader = reader;
			this.visible = visible;
			this.start = start;
			this.last = start;
			this.live = Sinks.many().unicast().onBackpressureBuffer(Queues.<StreamItem>get(properties.buffer()).get());
		}

		synchronized void offer(StreamItem item) {
			if (this.closedBy != null) {
				return;
			}
			Sinks.EmitResult result = this.live.tryEmitNext(item);
			// A full buffer answers FAIL_OVERFLOW, or FAIL_ZERO_SUBSCRIBER while the
			// stream
			// still replays (it follows only after): either way the item is not held.
			if (result.isFailure() && result != Sinks.EmitResult.FAIL_CANCELLED
					&& result != Sinks.EmitResult.FAIL_TERMINATED) {
				close(StreamItem.Closed.OVERFLOW);
			}
		}

		synchronized void close(String reason) {
			if (this.closedBy == null) {
				this.closedBy = reason;
				closed.get(reason).increment();
				this.live.tryEmitComplete();
			}
		}

		Flux<StreamItem> items() {
			Flux<StreamItem> replayed = log.replay(this.scope, this.start, properties.page()).map(Delivered::new);
			Flux<StreamItem> followed = Flux.concat(replayed, this.live.asFlux()).handle((item, sink) -> {
				if (item instanceof Delivered delivered) {
					if (delivered.position().isAfter(this.last)) {
						this.last = delivered.position();
						if (this.visible.test(delivered.event())) {
							sink.next(delivered);
						}
					}
				}
				else {
					if (item.position().isAfter(this.last)) {
						this.last = item.position();
					}
					sink.next(new Heartbeat(this.last));
				}
			});
			return Flux.concat(Mono.just(new Opened(this.start)), followed)
				.concatWith(Mono.fromSupplier(() -> new Closed(this.closedBy, this.last)))
				.onErrorResume((ex) -> {
					logger.warn("A live stream could not read the database and was closed: " + ex);
					close(Closed.UNAVAILABLE);
					return Mono.just(new Closed(Closed.UNAVAILABLE, this.last));
				})
				.doOnSubscribe((subscription) -> this.claimed = true)
				.doFinally((signal) -> unregister(this));
		}

	}

	/**
	 * A position past every event written: not one this sink handed out.
	 */
	public static final class PositionAheadException extends RuntimeException {

		PositionAheadException(EventPosition position) {
			super("position " + position + " is ahead of every event", null, false, false);
		}

	}

}
