package dev.orderpipeline.helm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.marcnuri.helm.DryRun;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.InstallCommand;
import com.marcnuri.helm.TemplateCommand;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The charts in {@code helm/} and the example values beside them, rendered with helm-java
 * (Helm's own template engine and schema validation, no cluster and no helm binary).
 */
final class Charts {

	static final Path ROOT = findRoot();

	static final Path UMBRELLA = ROOT.resolve("helm/order-pipeline");

	static final Path SOURCE = UMBRELLA.resolve("charts/order-source");

	static final Path SINK = UMBRELLA.resolve("charts/order-sink");

	static final Path EXAMPLES = ROOT.resolve("helm/examples");

	/**
	 * What every install must give each chart, which refuses to render without it
	 * (passwords, the signing Secret): given first to every render here.
	 */
	static final Path REQUIRED_VALUES = ROOT.resolve("helm-tests/src/test/resources/required-values");

	private static final YAMLMapper YAML = YAMLMapper.builder().build();

	static final String RELEASE = "orders";

	static final String NAMESPACE = "orders";

	/** The Kubernetes version rendered for (helm-java defaults to 1.20). */
	static final String KUBE_VERSION = "1.33.0";

	/**
	 * The annotation that marks a hook in the copies made by {@link #withHooksRendered}.
	 */
	static final String RENDERED_HOOK_ANNOTATION = "rendered-by-test/hook";

	private static Path hooksRenderedRoot;

	private static Path lintableRoot;

	private Charts() {
	}

	/**
	 * A copy of a chart whose hooks (helm test pods, hook Jobs) render as plain
	 * manifests: helm-java's template leaves hooks out, so the copy renames the
	 * {@code helm.sh/hook} annotation to {@link #RENDERED_HOOK_ANNOTATION} and changes
	 * nothing else.
	 * @param chart a chart under {@code helm/order-pipeline}
	 * @return the copy of the same chart
	 */
	static synchronized Path withHooksRendered(Path chart) {
		if (hooksRenderedRoot == null) {
			Path copy = ROOT.resolve("helm-tests/target/charts-with-hooks-rendered");
			copy(UMBRELLA, copy, true);
			hooksRenderedRoot = copy;
		}
		return hooksRenderedRoot.resolve(UMBRELLA.relativize(chart));
	}

	private static void copy(Path from, Path to, boolean renderHooks) {
		try {
			if (Files.exists(to)) {
				try (Stream<Path> old = Files.walk(to)) {
					old.sorted(Comparator.reverseOrder()).forEach((path) -> path.toFile().delete());
				}
			}
			try (Stream<Path> files = Files.walk(from)) {
				for (Path file : files.toList()) {
					Path target = to.resolve(from.relativize(file).toString());
					if (Files.isDirectory(file)) {
						Files.createDirectories(target);
					}
					else if (renderHooks && file.toString().contains("/templates/")) {
						Files.writeString(target, Files.readString(file)
							.replace("\"helm.sh/hook\":", "\"" + RENDERED_HOOK_ANNOTATION + "\":"));
					}
					else {
						Files.copy(file, target);
					}
				}
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * Renders a chart as {@code helm template} does.
	 * @param chart the chart directory
	 * @param set values as {@code --set} takes them
	 * @param valuesFiles values files, in order
	 * @return the rendered manifests, unmarshalled strictly
	 */
	static Manifests render(Path chart, Map<String, ?> set, Path... valuesFiles) {
		return Manifests.parse(template(chart, set, valuesFiles));
	}

	static Manifests render(Path chart, Path... valuesFiles) {
		return render(chart, Map.of(), valuesFiles);
	}

	/**
	 * Renders a chart to the YAML {@code helm template} prints.
	 * @param chart the chart directory
	 * @param set values as {@code --set} takes them
	 * @param valuesFiles values files, in order
	 * @return the manifests as one YAML stream
	 */
	static String template(Path chart, Map<String, ?> set, Path... valuesFiles) {
		return call(chart, set, true, valuesFiles);
	}

	/**
	 * Renders a chart without {@link #requiredValues}: only what is given.
	 * @param chart the chart directory
	 * @param set values as {@code --set} takes them
	 * @param valuesFiles values files, in order
	 * @return the manifests as one YAML stream
	 */
	static String withoutRequiredValues(Path chart, Map<String, ?> set, Path... valuesFiles) {
		return call(chart, set, false, valuesFiles);
	}

	private static String call(Path chart, Map<String, ?> set, boolean required, Path... valuesFiles) {
		TemplateCommand template = new Helm(chart).template()
			.withName(RELEASE)
			.withNamespace(NAMESPACE)
			.withKubeVersion(KUBE_VERSION);
		if (required) {
			template = template.withValuesFile(requiredValues(chart));
		}
		for (Path valuesFile : valuesFiles) {
			template = template.withValuesFile(valuesFile);
		}
		for (Map.Entry<String, ?> value : set.entrySet()) {
			template = template.set(value.getKey(), value.getValue());
		}
		return template.call();
	}

	/**
	 * The notes {@code helm install} prints, from a client-only dry run.
	 * @param chart the chart directory
	 * @param set values as {@code --set} takes them
	 * @return the rendered NOTES.txt
	 */
	static String notes(Path chart, Map<String, ?> set) {
		InstallCommand install = new Helm(chart).install()
			.withName(RELEASE)
			.withNamespace(NAMESPACE)
			.withKubeVersion(KUBE_VERSION)
			.withDryRunOption(DryRun.CLIENT)
			.clientOnly()
			.withValuesFile(requiredValues(chart));
		for (Map.Entry<String, ?> value : set.entrySet()) {
			install = install.set(value.getKey(), value.getValue());
		}
		String output = install.call().getOutput();
		int notes = output.indexOf("NOTES:\n");
		if (notes < 0) {
			throw new AssertionError("No NOTES in:\n" + output);
		}
		return output.substring(notes + "NOTES:\n".length());
	}

	/**
	 * Values as {@code --set} takes them, in the given order.
	 * @param keysAndValues key, value, key, value...
	 * @return the values
	 */
	static Map<String, Object> values(Object... keysAndValues) {
		Map<String, Object> values = new LinkedHashMap<>();
		for (int i = 0; i < keysAndValues.length; i += 2) {
			values.put((String) keysAndValues[i], keysAndValues[i + 1]);
		}
		return values;
	}

	/**
	 * The values every install must give a chart (under {@link #REQUIRED_VALUES}).
	 * @param chart the umbrella chart or a service chart, or a copy of one
	 * @return its file
	 */
	static Path requiredValues(Path chart) {
		String name = chart.getFileName().toString();
		return REQUIRED_VALUES.resolve(switch (name) {
			case "order-source" -> "source.yaml";
			case "order-sink" -> "sink.yaml";
			default -> "umbrella.yaml";
		});
	}

	/**
	 * A copy of a chart whose values.yaml holds its {@link #requiredValues} too, for
	 * {@code helm lint}, which helm-java runs with the chart's own values only.
	 * @param chart a chart under {@code helm/order-pipeline}
	 * @return the copy of the same chart
	 */
	static synchronized Path withRequiredValues(Path chart) {
		if (lintableRoot == null) {
			Path copy = ROOT.resolve("helm-tests/target/charts-with-required-values");
			copy(UMBRELLA, copy, false);
			for (Path each : allCharts()) {
				Path values = copy.resolve(UMBRELLA.relativize(each)).resolve("values.yaml");
				JsonNode merged = merge(YAML.readTree(values.toFile()), YAML.readTree(requiredValues(each).toFile()));
				YAML.writeValue(values.toFile(), merged);
			}
			lintableRoot = copy;
		}
		return lintableRoot.resolve(UMBRELLA.relativize(chart));
	}

	private static JsonNode merge(JsonNode into, JsonNode from) {
		if (into instanceof ObjectNode target && from instanceof ObjectNode source) {
			for (Map.Entry<String, JsonNode> entry : source.properties()) {
				JsonNode existing = target.get(entry.getKey());
				target.set(entry.getKey(), (existing != null) ? merge(existing, entry.getValue()) : entry.getValue());
			}
			return target;
		}
		return from;
	}

	static List<Path> allCharts() {
		return List.of(UMBRELLA, SOURCE, SINK);
	}

	private static Path findRoot() {
		Path directory = Path.of("").toAbsolutePath();
		while (directory != null && !Files.isDirectory(directory.resolve("helm/order-pipeline"))) {
			directory = directory.getParent();
		}
		if (directory == null) {
			throw new IllegalStateException("No helm/order-pipeline above " + Path.of("").toAbsolutePath());
		}
		return directory;
	}

}
