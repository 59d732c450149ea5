package dev.orderpipeline.sink.lifecycle;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.orderpipeline.contracts.OrderStatus;
import dev.orderpipeline.sink.lifecycle.Decision.Outcome;
import dev.orderpipeline.sink.lifecycle.Decision.Refusal;
import io.r2dbc.spi.Readable;
import reactor.core.publisher.Mono;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;

/**
 * An order's status changes as its reader sees them: every change decided, applied or
 * refused, in the order they were decided, then those still waiting.
 */
@Component
public class StatusHistory {

	private final DatabaseClient database;

	public StatusHistory(DatabaseClient database) {
		this.database = database;
	}

	/**
	 * The changes of an order.
	 * @param orderId the order
	 * @return its changes, decided first (oldest first), then waiting
	 */
	public Mono<List<Entry>> of(UUID orderId) {
		return this.database.sql("SELECT change_id, from_state, to_state, outcome, refusal, detail, reason, actor, "
				+ "roles, base_version, version, requested_at, decided_at FROM order_status_history WHERE order_id = $1 "
				+ "UNION ALL SELECT change_id, NULL, to_state, 'WAITING', NULL, NULL, reason, actor, roles, "
				+ "base_version, NULL, requested_at, NULL FROM order_status_pending WHERE order_id = $1 "
				+ "ORDER BY decided_at NULLS LAST, requested_at, change_id")
			.bind(0, orderId)
			.map(StatusHistory::entry)
			.all()
			.collectList();
	}

	/**
	 * An entry of the history from a row of {@code order_status_history}.
	 * @param row the row
	 * @return the entry
	 */
	public static Entry entry(Readable row) {
		String from = row.get("from_state", String.class);
		String refusal = row.get("refusal", String.class);
		return new Entry(row.get("change_id", UUID.class), (from != null) ? OrderStatus.valueOf(from) : null,
				OrderStatus.valueOf(row.get("to_state", String.class)),
				Outcome.valueOf(row.get("outcome", String.class)), (refusal != null) ? Refusal.valueOf(refusal) : null,
				row.get("detail", String.class), row.get("reason", String.class), row.get("actor", String.class),
				Arrays.asList(row.get("roles", String[].class)), row.get("base_version", Integer.class),
				row.get("version", Integer.class), row.get("requested_at", Instant.class),
				row.get("decided_at", Instant.class));
	}

	/**
	 * A status change of an order.
	 *
	 * @param changeId the change
	 * @param from the order's status when it was decided ({@code null} while waiting, or
	 * refused before its order arrived)
	 * @param to the status asked for
	 * @param outcome {@code APPLIED}, {@code REFUSED} or {@code WAITING}
	 * @param refusal why it was refused
	 * @param detail the refusal in words
	 * @param reason the caller's reason
	 * @param actor who asked
	 * @param roles the asker's roles
	 * @param baseVersion the version it was made on
	 * @param version the order's version it made (applied changes)
	 * @param requestedAt when it was asked
	 * @param decidedAt when it was decided
	 */
	@JsonInclude(JsonInclude.Include.NON_NULL)
	public record Entry(UUID changeId, OrderStatus from, OrderStatus to, Outcome outcome, Refusal refusal,
			String detail, String reason, String actor, List<String> roles, int baseVersion, Integer version,
			Instant requestedAt, Instant decidedAt) {

	}

}
