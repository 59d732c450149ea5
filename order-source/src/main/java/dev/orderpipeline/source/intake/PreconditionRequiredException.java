package dev.orderpipeline.source.intake;

/**
 * A status change without {@code If-Match}: answered 428, since a change is applied only
 * on the version it names.
 */
public class PreconditionRequiredException extends RuntimeException {

	public PreconditionRequiredException() {
		super("A status change needs If-Match: the ETag of the order's version it acts on, as GET /orders/{id} "
				+ "answers it");
	}

}
