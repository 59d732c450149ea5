package dev.orderpipeline.helm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Grafana dashboard queries only what the services export: every {@code orders_*}
 * series it reads is derived from a meter registered in the services' code, by
 * Micrometer's Prometheus naming ({@code orders.accept.to.stored} timer with a histogram:
 * {@code orders_accept_to_stored_seconds_bucket}).
 */
class DashboardTests {

	private static final Path DASHBOARD = Charts.UMBRELLA.resolve("dashboards/order-pipeline.json");

	/** Meters of Spring Boot's and Micrometer's own binders that the dashboard reads. */
	private static final Set<String> PLATFORM_SERIES = Set.of("jvm_memory_used_bytes", "jvm_memory_max_bytes",
			"process_cpu_usage", "http_server_requests_seconds_count");

	private static final Pattern METER = Pattern.compile(
			"(Counter|Timer|DistributionSummary|Gauge)\\.builder\\(\"([a-z.]+)\"((?:[^;\"]|\"[^\"]*\")*?)\\.register\\(",
			Pattern.DOTALL);

	private static final Pattern SERIES = Pattern.compile("\\b([a-z_][a-z0-9_]*)\\s*\\{");

	private static final JsonNode DASHBOARD_JSON = read();

	@Test
	void queriesOnlySeriesTheServicesExport() {
		Set<String> exported = exportedSeries();
		Set<String> queried = queriedSeries();

		assertThat(queried).isNotEmpty();
		assertThat(queried).allSatisfy((series) -> assertThat(exported).as("exported series").contains(series));
		assertThat(exported).contains("orders_accepted_total", "orders_accept_to_stored_seconds_bucket",
				"orders_queue_depth");
	}

	@Test
	void showsThePanelsOperatorsNeed() {
		Set<String> queried = queriedSeries();

		assertThat(queried).contains("orders_accepted_total", "orders_confirmed_total", "orders_rejected_total",
				"orders_stored_total", "orders_deduplicated_total", "orders_dead_lettered_total",
				"orders_confirm_seconds_bucket", "orders_accept_to_stored_seconds_bucket", "orders_batch_size_sum",
				"orders_batch_write_seconds_sum", "orders_queue_depth", "jvm_memory_used_bytes", "process_cpu_usage");
		assertThat(expressions()).anyMatch((expr) -> expr.startsWith("sum by (channel)"))
			.anyMatch((expr) -> expr.startsWith("sum by (reason) (rate(orders_rejected_total"))
			.anyMatch((expr) -> expr.startsWith("histogram_quantile(0.99") && expr.contains("orders_confirm_seconds"))
			.anyMatch((expr) -> expr.startsWith("histogram_quantile(0.5") && expr.contains("orders_accept_to_stored"))
			.anyMatch((expr) -> expr.startsWith("histogram_quantile(0.99") && expr.contains("orders_accept_to_stored"))
			.anyMatch((expr) -> expr.startsWith("max by (queue) (orders_queue_depth"));
	}

	@Test
	void isAValidGrafanaDashboard() {
		assertThat(DASHBOARD_JSON.get("uid").asString()).isEqualTo("order-pipeline");
		assertThat(DASHBOARD_JSON.get("schemaVersion").asInt()).isPositive();
		Set<Integer> ids = new HashSet<>();
		for (JsonNode panel : DASHBOARD_JSON.get("panels")) {
			assertThat(ids.add(panel.get("id").asInt())).as("unique panel id").isTrue();
			JsonNode position = panel.get("gridPos");
			assertThat(position.get("x").asInt() + position.get("w").asInt()).isLessThanOrEqualTo(24);
			if (!panel.get("type").asString().equals("row")) {
				assertThat(panel.get("datasource").get("uid").asString()).isEqualTo("${datasource}");
				assertThat(panel.get("targets")).isNotEmpty()
					.allSatisfy((target) -> assertThat(target.get("expr").asString()).isNotBlank());
			}
		}
		assertThat(DASHBOARD_JSON.get("templating").get("list"))
			.extracting((variable) -> variable.get("name").asString())
			.containsExactly("datasource", "namespace");
	}

	/**
	 * The series every meter registered in the services' main code is exported as.
	 */
	private static Set<String> exportedSeries() {
		Set<String> series = new TreeSet<>(PLATFORM_SERIES);
		for (String module : List.of("order-source", "order-sink")) {
			try (Stream<Path> files = Files.walk(Charts.ROOT.resolve(module).resolve("src/main/java"))) {
				for (Path file : files.filter((path) -> path.toString().endsWith(".java")).toList()) {
					Matcher meter = METER.matcher(Files.readString(file));
					while (meter.find()) {
						series.addAll(prometheusSeries(meter.group(1), meter.group(2).replace('.', '_'),
								meter.group(3).contains("publishPercentileHistogram()")));
					}
				}
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}
		return series;
	}

	private static List<String> prometheusSeries(String type, String name, boolean histogram) {
		List<String> series = new ArrayList<>();
		switch (type) {
			case "Counter" -> series.add(name + "_total");
			case "Gauge" -> series.add(name);
			default -> {
				String base = type.equals("Timer") ? name + "_seconds" : name;
				series.addAll(List.of(base + "_count", base + "_sum", base + "_max"));
				if (histogram) {
					series.add(base + "_bucket");
				}
			}
		}
		return series;
	}

	static Set<String> queriedSeries() {
		Set<String> series = new TreeSet<>();
		for (String expr : expressions()) {
			Matcher matcher = SERIES.matcher(expr);
			while (matcher.find()) {
				series.add(matcher.group(1));
			}
		}
		for (JsonNode templating : DASHBOARD_JSON.get("templating").get("list")) {
			JsonNode definition = templating.get("definition");
			if (definition != null) {
				Matcher labelValues = Pattern.compile("label_values\\(([a-z_][a-z0-9_]*)")
					.matcher(definition.asString());
				if (labelValues.find()) {
					series.add(labelValues.group(1));
				}
			}
		}
		return series;
	}

	static List<String> expressions() {
		List<String> expressions = new ArrayList<>();
		for (JsonNode panel : DASHBOARD_JSON.get("panels")) {
			JsonNode targets = panel.get("targets");
			if (targets != null) {
				targets.forEach((target) -> expressions.add(target.get("expr").asString()));
			}
		}
		return expressions;
	}

	private static JsonNode read() {
		try {
			return JsonMapper.builder().build().readTree(Files.readString(DASHBOARD));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
