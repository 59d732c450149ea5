package dev.orderpipeline.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes a run's figures as JSON and a self-contained HTML page charting throughput and
 * latency over time (inline SVG, no scripts or network).
 */
final class Report {

	private static final JsonMapper json = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

	private Report() {
	}

	static Path write(Path directory, String runId, Map<String, Object> results) throws IOException {
		Path jsonFile = directory.resolve("bench-" + runId + ".json");
		Files.writeString(jsonFile, json.writeValueAsString(results));
		Files.writeString(directory.resolve("bench-" + runId + ".html"), html(runId, results));
		return jsonFile;
	}

	@SuppressWarnings("unchecked")
	private static String html(String runId, Map<String, Object> results) {
		List<Map<String, Object>> accepted = (List<Map<String, Object>>) results.getOrDefault("acceptedSeries",
				List.of());
		List<Map<String, Object>> stored = (List<Map<String, Object>>) results.getOrDefault("storedSeries", List.of());
		StringBuilder page = new StringBuilder(
				"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>order-pipeline " + "benchmark " + runId
						+ "</title><style>body{font-family:sans-serif;margin:2em}pre{background:#f4f4f4;"
						+ "padding:1em}</style></head><body><h1>order-pipeline benchmark " + runId + "</h1>");
		if (accepted.isEmpty()) {
			// wrk reports its figures at the end of the run only.
			page.append("<h2>Orders stored per second</h2>");
			page.append(chart(List.<double[][]>of(series(stored, "stored")), List.of("#2ca02c")));
			page.append("<p>The load generator (wrk) reports answers and latency for the whole run only: "
					+ "see the figures below.</p>");
		}
		else {
			page.append("<h2>Orders per second (accepted: blue, stored: green)</h2>");
			page.append(chart(List.of(series(accepted, "accepted"), series(stored, "stored")),
					List.of("#1f77b4", "#2ca02c")));
			page.append("<h2>Accept latency per second, ms (p50: blue, p99: red)</h2>");
			page.append(chart(List.of(series(accepted, "p50Millis"), series(accepted, "p99Millis")),
					List.of("#1f77b4", "#d62728")));
		}
		page.append("<h2>Figures</h2><pre>")
			.append(escape(json.writeValueAsString(results)))
			.append("</pre></body></html>");
		return page.toString();
	}

	private static double[][] series(List<Map<String, Object>> points, String field) {
		Function<Object, Double> number = (value) -> ((Number) value).doubleValue();
		return points.stream()
			.map((point) -> new double[] { number.apply(point.get("second")), number.apply(point.get(field)) })
			.toArray(double[][]::new);
	}

	private static String chart(List<double[][]> lines, List<String> colors) {
		int width = 800;
		int height = 260;
		int margin = 50;
		double maxX = 1;
		double maxY = 1;
		for (double[][] line : lines) {
			for (double[] point : line) {
				maxX = Math.max(maxX, point[0]);
				maxY = Math.max(maxY, point[1]);
			}
		}
		StringBuilder svg = new StringBuilder("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + width
				+ "\" height=\"" + height + "\" style=\"border:1px solid #ccc\">");
		svg.append(String.format("<text x=\"5\" y=\"15\" font-size=\"12\">%,.0f</text>", maxY));
		svg.append(String.format("<text x=\"5\" y=\"%d\" font-size=\"12\">0</text>", height - margin));
		svg.append(String.format("<text x=\"%d\" y=\"%d\" font-size=\"12\">%,.0f s</text>", width - margin, height - 10,
				maxX));
		for (int i = 0; i < lines.size(); i++) {
			StringBuilder points = new StringBuilder();
			for (double[] point : lines.get(i)) {
				double x = margin + point[0] / maxX * (width - 2 * margin);
				double y = height - margin - point[1] / maxY * (height - 2 * margin);
				points.append(String.format(java.util.Locale.ROOT, "%.1f,%.1f ", x, y));
			}
			svg.append("<polyline fill=\"none\" stroke-width=\"2\" stroke=\"")
				.append(colors.get(i))
				.append("\" points=\"")
				.append(points)
				.append("\"/>");
		}
		return svg.append("</svg>").toString();
	}

	private static String escape(String text) {
		return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
	}

}
