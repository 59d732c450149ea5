package dev.orderpipeline.helm;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The strict unmarshalling every chart test relies on: it must refuse what a real API
 * server would.
 */
class ManifestsTests {

	private static final String DEPLOYMENT = """
			apiVersion: apps/v1
			kind: Deployment
			metadata:
			  name: demo
			spec:
			  selector:
			    matchLabels:
			      app: demo
			  template:
			    metadata:
			      labels:
			        app: demo
			    spec:
			      containers:
			        - name: demo
			          image: demo:1
			%s
			""";

	@Test
	void readsAKnownKind() {
		Manifests manifests = Manifests.parse("---\n# Source: demo\n" + DEPLOYMENT.formatted(""));

		assertThat(manifests.one(Deployment.class).getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
			.isEqualTo("demo:1");
	}

	@Test
	void refusesAnUnknownFieldDeepInside() {
		assertThatThrownBy(() -> Manifests.parse(DEPLOYMENT.formatted("          readinessProbes: {}")))
			.hasMessageContaining("Unknown fields")
			.hasMessageContaining("readinessProbes");
	}

	@Test
	void refusesAMisspelledTopLevelField() {
		assertThatThrownBy(
				() -> Manifests.parse(DEPLOYMENT.formatted("").replace("metadata:\n  name", "metdata:\n  name")))
			.hasMessageContaining("metdata");
	}

	@Test
	void refusesAKindWithoutModel() {
		assertThatThrownBy(() -> Manifests.parse("""
				apiVersion: example.com/v1
				kind: Widget
				metadata:
				  name: demo
				""")).hasMessageContaining("No model");
	}

	@Test
	void refusesAValueOfTheWrongType() {
		assertThatThrownBy(() -> Manifests
			.parse(DEPLOYMENT.formatted("").replace("spec:\n  selector", "spec:\n  replicas: many\n  selector")))
			.hasMessageContaining("many");
	}

}
