package dev.orderpipeline.source.http;

/**
 * A stream of orders longer than {@code orders.source.stream.max-lines} (or larger than
 * that many lines of the largest size): the first line past the limit is answered with
 * it, and none after it.
 */
class TooManyLinesException extends RuntimeException {

	private final int maxLines;

	TooManyLinesException(int maxLines) {
		super("A stream takes at most " + maxLines + " lines: nothing from this line on is answered");
		this.maxLines = maxLines;
	}

	int getMaxLines() {
		return this.maxLines;
	}

}
