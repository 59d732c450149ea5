package dev.orderpipeline.source.http;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;

/**
 * Splits a request body into its lines as it arrives ({@code \n} or {@code \r\n}),
 * holding at most one line of up to the limit: a longer line is skipped to its end and
 * handed on as too long. Blank lines are skipped but counted, so every line keeps the
 * number a client's editor shows. The body is read one buffer at a time, and no more of
 * it than a budget of bytes.
 */
final class NdjsonLines {

	private NdjsonLines() {
	}

	/**
	 * One line of the body.
	 *
	 * @param number its number, from 1
	 * @param bytes its bytes without the line end, or {@code null} when it was too long
	 * or the body's budget was spent in it
	 * @param overBudget whether the body's budget of bytes was spent in this line: the
	 * last line handed on
	 */
	record Line(int number, byte[] bytes, boolean overBudget) {

		boolean tooLong() {
			return this.bytes == null && !this.overBudget;
		}

	}

	/**
	 * The lines of a body.
	 * @param body the body
	 * @param maxLineSize the most bytes a line may have
	 * @param budget the most bytes read of the body: the line in which it is spent is
	 * handed on {@link Line#overBudget() over budget}, and nothing after it
	 * @return its lines that are not blank, each as soon as its end arrived; the body's
	 * buffers are released as they are read, and those read ahead when reading stops
	 */
	static Flux<Line> split(Flux<DataBuffer> body, int maxLineSize, long budget) {
		return Flux.defer(() -> {
			Splitter splitter = new Splitter(maxLineSize, budget);
			return body.concatMapIterable(splitter::feed, 1)
				.doOnDiscard(DataBuffer.class, DataBufferUtils::release)
				.concatWith(Mono.fromSupplier(splitter::finish))
				.takeUntil(Line::overBudget);
		});
	}

	private static final class Splitter {

		private final int maxLineSize;

		private final ByteArrayOutputStream current = new ByteArrayOutputStream();

		private boolean tooLong;

		private int number;

		private long budget;

		Splitter(int maxLineSize, long budget) {
			this.maxLineSize = maxLineSize;
			this.budget = budget;
		}

		List<Line> feed(DataBuffer buffer) {
			try {
				List<Line> lines = new ArrayList<>(4);
				this.budget -= buffer.readableByteCount();
				if (this.budget < 0) {
					return List.of(new Line(this.number + 1, null, true));
				}
				while (buffer.readableByteCount() > 0) {
					int start = buffer.readPosition();
					int end = buffer.indexOf((b) -> b == '\n', start);
					append(buffer, ((end < 0) ? buffer.writePosition() : end) - start);
					if (end < 0) {
						break;
					}
					buffer.readPosition(end + 1);
					Line line = complete();
					if (line != null) {
						lines.add(line);
					}
				}
				return lines;
			}
			finally {
				DataBufferUtils.release(buffer);
			}
		}

		Line finish() {
			return (this.current.size() > 0 || this.tooLong) ? complete() : null;
		}

		private void append(DataBuffer buffer, int length) {
			if (!this.tooLong && this.current.size() + length > this.maxLineSize + 1) {
				// One byte over the limit is allowed for a CR before the LF.
				this.tooLong = true;
				this.current.reset();
			}
			if (this.tooLong) {
				buffer.readPosition(buffer.readPosition() + length);
				return;
			}
			byte[] chunk = new byte[length];
			buffer.read(chunk);
			this.current.writeBytes(chunk);
		}

		private Line complete() {
			this.number++;
			if (this.tooLong) {
				this.tooLong = false;
				return new Line(this.number, null, false);
			}
			byte[] bytes = this.current.toByteArray();
			this.current.reset();
			int length = bytes.length;
			if (length > 0 && bytes[length - 1] == '\r') {
				length--;
			}
			if (length > this.maxLineSize) {
				return new Line(this.number, null, false);
			}
			if (isBlank(bytes, length)) {
				return null;
			}
			return new Line(this.number, (length == bytes.length) ? bytes : Arrays.copyOf(bytes, length), false);
		}

		private static boolean isBlank(byte[] bytes, int length) {
			for (int i = 0; i < length; i++) {
				byte b = bytes[i];
				if (b != ' ' && b != '\t' && b != '\r') {
					return false;
				}
			}
			return true;
		}

	}

}
