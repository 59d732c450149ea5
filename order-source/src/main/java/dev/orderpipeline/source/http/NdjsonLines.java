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
 * number a client's editor shows.
 */
final class NdjsonLines {

	private NdjsonLines() {
	}

	/**
	 * One line of the body.
	 *
	 * @param number its number, from 1
	 * @param bytes its bytes without the line end, or {@code null} when it was too long
	 */
	record Line(int number, byte[] bytes) {

		boolean tooLong() {
			return this.bytes == null;
		}

	}

	/**
	 * The lines of a body.
	 * @param body the body
	 * @param maxLineSize the most bytes a line may have
	 * @return its lines that are not blank, each as soon as its end arrived; the body's
	 * buffers are released as they are read
	 */
	static Flux<Line> split(Flux<DataBuffer> body, int maxLineSize) {
		return Flux.defer(() -> {
			Splitter splitter = new Splitter(maxLineSize);
			return body.concatMapIterable(splitter::feed).concatWith(Mono.fromSupplier(splitter::finish));
		});
	}

	private static final class Splitter {

		private final int maxLineSize;

		private final ByteArrayOutputStream current = new ByteArrayOutputStream();

		private boolean tooLong;

		private int number;

		Splitter(int maxLineSize) {
			this.maxLineSize = maxLineSize;
		}

		List<Line> feed(DataBuffer buffer) {
			try {
				List<Line> lines = new ArrayList<>(4);
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
				return new Line(this.number, null);
			}
			byte[] bytes = this.current.toByteArray();
			this.current.reset();
			int length = bytes.length;
			if (length > 0 && bytes[length - 1] == '\r') {
				length--;
			}
			if (length > this.maxLineSize) {
				return new Line(this.number, null);
			}
			if (isBlank(bytes, length)) {
				return null;
			}
			return new Line(this.number, (length == bytes.length) ? bytes : Arrays.copyOf(bytes, length));
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
