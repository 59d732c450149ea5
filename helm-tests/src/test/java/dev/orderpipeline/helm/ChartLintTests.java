package dev.orderpipeline.helm;

import java.nio.file.Path;
import java.util.List;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code helm lint --strict} of each chart, with the values every install must give:
 * warnings fail too.
 */
class ChartLintTests {

	static List<Path> charts() {
		return Charts.allCharts();
	}

	@ParameterizedTest
	@MethodSource("charts")
	void passesStrictLint(Path chart) {
		LintResult result = new Helm(Charts.withRequiredValues(chart)).lint().strict().call();

		assertThat(result.isFailed()).as("lint of %s: %s", chart, result.getMessages()).isFalse();
		assertThat(result.getMessages()).noneMatch((message) -> message.contains("[WARNING]"))
			.noneMatch((message) -> message.contains("[ERROR]"));
	}

}
