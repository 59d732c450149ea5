package dev.orderpipeline.sink.lifecycle;

import java.util.UUID;

/**
 * What became of a status change.
 *
 * @param changeId the change
 * @param outcome applied, refused, waiting, or decided before
 * @param refusal why it was refused, or {@code null}
 * @param detail the refusal in words, or {@code null}
 */
public record Decision(UUID changeId, Outcome outcome, Refusal refusal, String detail) {

	static Decision applied(UUID changeId) {
		return new Decision(changeId, Outcome.APPLIED, null, null);
	}

	static Decision refused(UUID changeId, Refusal refusal, String detail) {
		return new Decision(changeId, Outcome.REFUSED, refusal, detail);
	}

	static Decision waiting(UUID changeId) {
		return new Decision(changeId, Outcome.WAITING, null, null);
	}

	static Decision duplicate(UUID changeId) {
		return new Decision(changeId, Outcome.DUPLICATE, null, null);
	}

	/**
	 * What became of a change.
	 */
	public enum Outcome {

		/** The order moved. */
		APPLIED,

		/** The order did not move; the history says why. */
		REFUSED,

		/** Kept aside until its order or its base version arrives. */
		WAITING,

		/** Decided before (a redelivery, or another sink): nothing done. */
		DUPLICATE

	}

	/**
	 * Why a change was refused.
	 */
	public enum Refusal {

		/** The order had moved past the version the change named. */
		STALE,

		/** The lifecycle has no such step from the order's status. */
		ILLEGAL,

		/** The caller may not make that step on that order. */
		FORBIDDEN,

		/** Its order or base version did not arrive in time. */
		EXPIRED

	}

}
