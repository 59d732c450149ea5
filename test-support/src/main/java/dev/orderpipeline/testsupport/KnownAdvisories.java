package dev.orderpipeline.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Checks a service's software bill of materials (CycloneDX, which the build puts in
 * {@code META-INF/sbom/application.cdx.json}) against the advisories the team knows of
 * ({@code known-advisories.csv}). No advisory database is reachable from the build, so
 * this is the list to keep; a scanner run on the SBOM ({@code trivy sbom}, {@code grype})
 * sees the published ones.
 */
public final class KnownAdvisories {

	private static final String SBOM = "/META-INF/sbom/application.cdx.json";

	private KnownAdvisories() {
	}

	/**
	 * The components of the SBOM on the class path.
	 * @return version by {@code group:name}
	 */
	public static Map<String, String> components() {
		try (InputStream sbom = KnownAdvisories.class.getResourceAsStream(SBOM)) {
			if (sbom == null) {
				throw new IllegalStateException(SBOM + " is not on the class path: the build makes it (cyclonedx)");
			}
			Map<String, String> components = new HashMap<>();
			for (JsonNode component : JsonMapper.shared().readTree(sbom).path("components")) {
				components.put(component.path("group").asString() + ":" + component.path("name").asString(),
						component.path("version").asString());
			}
			return components;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * The known advisories that affect components of the SBOM on the class path.
	 * @return one line per affected component, empty when none is
	 */
	public static List<String> affecting() {
		Map<String, String> components = components();
		List<String> affected = new ArrayList<>();
		for (String[] advisory : advisories()) {
			String version = components.get(advisory[0]);
			if (version != null && compare(version, advisory[1]) < 0) {
				affected.add(advisory[0] + " " + version + " (fixed in " + advisory[1] + ", " + advisory[2] + "): "
						+ advisory[3]);
			}
		}
		return affected;
	}

	private static List<String[]> advisories() {
		try (InputStream csv = KnownAdvisories.class.getResourceAsStream("known-advisories.csv")) {
			List<String[]> advisories = new ArrayList<>();
			for (String line : new String(csv.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
				if (!line.isBlank() && !line.startsWith("#")) {
					advisories.add(line.split(",", 4));
				}
			}
			return advisories;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * Compares release versions by their numeric parts ({@code 5.27.1} before
	 * {@code 5.33.1}); a qualifier after a part ({@code -SNAPSHOT}, {@code .Final}) is
	 * not compared.
	 * @param left a version
	 * @param right another
	 * @return negative, zero or positive as {@code left} is older, the same or newer
	 */
	static int compare(String left, String right) {
		String[] a = left.split("[.-]");
		String[] b = right.split("[.-]");
		for (int i = 0; i < Math.max(a.length, b.length); i++) {
			int x = (i < a.length) ? number(a[i]) : 0;
			int y = (i < b.length) ? number(b[i]) : 0;
			if (x != y) {
				return Integer.compare(x, y);
			}
		}
		return 0;
	}

	private static int number(String part) {
		return part.chars().allMatch(Character::isDigit) && !part.isEmpty() ? Integer.parseInt(part) : 0;
	}

}
