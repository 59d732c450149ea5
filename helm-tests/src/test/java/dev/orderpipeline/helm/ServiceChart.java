package dev.orderpipeline.helm;

import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * One of the services' charts and what its application listens on.
 *
 * @param name the chart name (and the module's artifactId)
 * @param chart the chart directory
 * @param httpPort the API port of the application (server.port)
 * @param managementPort the actuator port of the application (management.server.port)
 */
record ServiceChart(String name, Path chart, int httpPort, int managementPort) {

	static final ServiceChart SOURCE = new ServiceChart("order-source", Charts.SOURCE, 8000, 9000);

	static final ServiceChart SINK = new ServiceChart("order-sink", Charts.SINK, 8001, 9001);

	static Stream<ServiceChart> both() {
		return Stream.of(SOURCE, SINK);
	}

	/**
	 * The name of the release's objects: {@code helm template orders} gives
	 * {@code orders-order-source}.
	 * @return the full name
	 */
	String fullname() {
		return Charts.RELEASE + "-" + this.name;
	}

	@Override
	public String toString() {
		return this.name;
	}

}
