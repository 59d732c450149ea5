package dev.orderpipeline.sink.lifecycle;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.annotation.Profile;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Decides the waiting status changes again every {@link StatusChangeProperties#sweep()}:
 * a change kept aside by one sink while another stored its order is applied here, and a
 * change past its wait is refused. Several sinks may sweep at once: each change is
 * decided once. Not in the dead-letter commands.
 */
@Component
@Profile("!dead-letters")
class StatusChangeSweeper {

	private static final Log logger = LogFactory.getLog(StatusChangeSweeper.class);

	private final StatusChanges changes;

	private final StatusChangeProperties properties;

	private Disposable sweeping;

	StatusChangeSweeper(StatusChanges changes, StatusChangeProperties properties) {
		this.changes = changes;
		this.properties = properties;
	}

	@EventListener(ApplicationReadyEvent.class)
	synchronized void start() {
		if (this.sweeping == null) {
			this.sweeping = Flux.interval(this.properties.sweep())
				.onBackpressureDrop()
				.concatMap((tick) -> this.changes.sweep().onErrorResume((ex) -> {
					logger.warn("Deciding the waiting status changes failed (tried again in " + this.properties.sweep()
							+ "): " + ex);
					return Mono.empty();
				}), 0)
				.subscribe();
		}
	}

	@EventListener(ContextClosedEvent.class)
	synchronized void stop() {
		if (this.sweeping != null) {
			this.sweeping.dispose();
		}
	}

}
