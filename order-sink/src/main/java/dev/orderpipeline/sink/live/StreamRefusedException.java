package dev.orderpipeline.sink.live;

/**
 * A stream not opened: a limit is reached, or the sink is stopping.
 */
public class StreamRefusedException extends RuntimeException {

	private final Reason reason;

	StreamRefusedException(Reason reason) {
		super(reason.detail, null, false, false);
		this.reason = reason;
	}

	/**
	 * Why the stream was not opened.
	 * @return the reason
	 */
	public Reason reason() {
		return this.reason;
	}

	/**
	 * Why a stream is not opened.
	 */
	public enum Reason {

		/** The caller has as many streams open as one caller may. */
		READER("per-reader", "you have as many live streams open as one caller may: close one"),

		/** The sink has as many streams open as it serves. */
		TOTAL("total", "this sink serves as many live streams as it can: try again shortly"),

		/** The sink is stopping. */
		STOPPING("stopping", "this sink is stopping: try again shortly");

		private final String tag;

		private final String detail;

		Reason(String tag, String detail) {
			this.tag = tag;
			this.detail = detail;
		}

		/**
		 * The reason's name in metrics.
		 * @return the name
		 */
		public String tag() {
			return this.tag;
		}

		/**
		 * What to tell the caller.
		 * @return the detail
		 */
		public String detail() {
			return this.detail;
		}

	}

}
