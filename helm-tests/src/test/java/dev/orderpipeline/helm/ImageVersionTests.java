package dev.orderpipeline.helm;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import javax.xml.parsers.DocumentBuilderFactory;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The charts deploy the images the build makes: {@code spring-boot:build-image} names an
 * image {@code <artifactId>:<version>}, so each chart's default image and its appVersion
 * must follow the module's artifactId and the project version.
 */
class ImageVersionTests {

	private static final YAMLMapper YAML = YAMLMapper.builder().build();

	static List<ServiceChart> charts() {
		return ServiceChart.both().toList();
	}

	@ParameterizedTest
	@MethodSource("charts")
	void defaultImageIsTheModulesArtifactAndVersion(ServiceChart chart) throws Exception {
		Element module = pom(Charts.ROOT.resolve(chart.name()).resolve("pom.xml"));
		String artifactId = child(module, "artifactId");
		String version = projectVersion();
		Deployment deployment = Charts.render(chart.chart()).one(Deployment.class);

		assertThat(artifactId).isEqualTo(chart.name());
		assertThat(chartYaml(chart.chart()).get("appVersion").asString()).isEqualTo(version);
		assertThat(chartYaml(chart.chart()).get("name").asString()).isEqualTo(artifactId);
		assertThat(deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
			.isEqualTo(artifactId + ":" + version);
		assertThat(deployment.getMetadata().getLabels()).containsEntry("app.kubernetes.io/version", version);
		assertThat(imageNameConfiguredIn(module)).as("an <image><name> in %s/pom.xml", chart.name())
			.isIn(null, "${project.artifactId}:${project.version}", artifactId + ":${project.version}",
					artifactId + ":" + version);
	}

	@Test
	void umbrellaChartFollowsTheProjectVersion() throws Exception {
		JsonNode umbrella = chartYaml(Charts.UMBRELLA);

		assertThat(umbrella.get("appVersion").asString()).isEqualTo(projectVersion());
		for (JsonNode dependency : umbrella.get("dependencies")) {
			String name = dependency.get("name").asString();
			assertThat(dependency.get("version").asString())
				.isEqualTo(chartYaml(Charts.UMBRELLA.resolve("charts").resolve(name)).get("version").asString());
			assertThat(dependency.get("repository").asString()).isEqualTo("file://charts/" + name);
		}
	}

	@ParameterizedTest
	@MethodSource("charts")
	void registryAndDigestArePutInFrontAndBehind(ServiceChart chart) {
		String image = Charts
			.render(chart.chart(),
					Charts.values("image.registry", "registry.example.com/orders", "image.digest",
							"sha256:" + "a".repeat(64)))
			.one(Deployment.class)
			.getSpec()
			.getTemplate()
			.getSpec()
			.getContainers()
			.get(0)
			.getImage();

		assertThat(image).isEqualTo("registry.example.com/orders/" + chart.name() + "@sha256:" + "a".repeat(64));
	}

	private static JsonNode chartYaml(Path chart) throws Exception {
		return YAML.readTree(Files.readString(chart.resolve("Chart.yaml")));
	}

	private static String projectVersion() throws Exception {
		return child(pom(Charts.ROOT.resolve("pom.xml")), "version");
	}

	private static Element pom(Path file) throws Exception {
		return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(file.toFile()).getDocumentElement();
	}

	private static String child(Element element, String name) {
		NodeList children = element.getChildNodes();
		for (int i = 0; i < children.getLength(); i++) {
			Node node = children.item(i);
			if (node instanceof Element child && child.getTagName().equals(name)) {
				return child.getTextContent().strip();
			}
		}
		throw new AssertionError("No <" + name + "> in <" + element.getTagName() + ">");
	}

	private static String imageNameConfiguredIn(Element module) {
		NodeList plugins = module.getElementsByTagName("plugin");
		for (int i = 0; i < plugins.getLength(); i++) {
			Element plugin = (Element) plugins.item(i);
			if (child(plugin, "artifactId").equals("spring-boot-maven-plugin")) {
				NodeList images = plugin.getElementsByTagName("image");
				if (images.getLength() > 0) {
					return child((Element) images.item(0), "name");
				}
			}
		}
		return null;
	}

}
