package dev.orderpipeline.source.http;

/**
 * A stream of orders longer than {@code orders.source.stream.max-lines}: the line past
 * the limit is answered with it, and nothing after it is read.
 */
class TooManyLinesException extends RuntimeException {

	private final int maxLines;

	TooManyLinesException(int maxLines) {
		super("A stream takes at most " + maxLines + " orders: nothing from this line on was read");
		this.maxLines = maxLines;
	}

	int getMaxLines() {
		return this.maxLines;
	}

}
