package dev.orderpipeline.helm;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

/**
 * Rendered manifests, each unmarshalled into its fabric8 model class. Unmarshalling is
 * strict: a kind without a model class, a value of the wrong type or a field the model
 * does not know (caught in {@code additionalProperties}) fails.
 *
 * @param all every manifest, in the order rendered
 */
record Manifests(List<HasMetadata> all) {

	private static final Pattern DOCUMENT_SEPARATOR = Pattern.compile("(?m)^---\\s*$");

	private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

	static Manifests parse(String yaml) {
		List<HasMetadata> manifests = new ArrayList<>();
		for (String document : DOCUMENT_SEPARATOR.split(yaml)) {
			if (document.lines().allMatch((line) -> line.isBlank() || line.startsWith("#"))) {
				continue;
			}
			HasMetadata manifest = SERIALIZATION.unmarshal(document, HasMetadata.class);
			if (manifest == null || manifest instanceof GenericKubernetesResource) {
				throw new AssertionError("No model for the manifest (unknown apiVersion/kind?):\n" + document);
			}
			List<String> unknown = new ArrayList<>();
			findUnknownFields(manifest, manifest.getKind(), unknown, new IdentityHashMap<>());
			if (!unknown.isEmpty()) {
				throw new AssertionError("Unknown fields " + unknown + " in:\n" + document);
			}
			manifests.add(manifest);
		}
		return new Manifests(List.copyOf(manifests));
	}

	<T extends HasMetadata> List<T> ofKind(Class<T> type) {
		return this.all.stream().filter(type::isInstance).map(type::cast).toList();
	}

	<T extends HasMetadata> T one(Class<T> type) {
		List<T> found = ofKind(type);
		if (found.size() != 1) {
			throw new AssertionError("Expected one " + type.getSimpleName() + ", found " + names(found));
		}
		return found.get(0);
	}

	<T extends HasMetadata> T named(Class<T> type, String name) {
		return find(type, name).orElseThrow(
				() -> new AssertionError("No " + type.getSimpleName() + " " + name + " in " + names(ofKind(type))));
	}

	<T extends HasMetadata> Optional<T> find(Class<T> type, String name) {
		return ofKind(type).stream().filter((manifest) -> name.equals(manifest.getMetadata().getName())).findFirst();
	}

	Set<String> kinds() {
		return this.all.stream().map(HasMetadata::getKind).collect(Collectors.toSet());
	}

	private static List<String> names(List<? extends HasMetadata> manifests) {
		return manifests.stream().map((manifest) -> manifest.getMetadata().getName()).toList();
	}

	/**
	 * Walks the model's fields; every fabric8 model class collects the fields it does not
	 * know in a map named {@code additionalProperties}.
	 */
	private static void findUnknownFields(Object value, String path, List<String> unknown,
			Map<Object, Boolean> visited) {
		if (value == null || visited.put(value, Boolean.TRUE) != null) {
			return;
		}
		if (value instanceof Collection<?> collection) {
			int index = 0;
			for (Object element : collection) {
				findUnknownFields(element, path + "[" + index++ + "]", unknown, visited);
			}
			return;
		}
		if (value instanceof Map<?, ?> map) {
			map.forEach((key, element) -> findUnknownFields(element, path + "." + key, unknown, visited));
			return;
		}
		if (!value.getClass().getName().startsWith("io.fabric8.")) {
			return;
		}
		for (Class<?> type = value.getClass(); type != null && type != Object.class; type = type.getSuperclass()) {
			for (Field field : type.getDeclaredFields()) {
				if (Modifier.isStatic(field.getModifiers())) {
					continue;
				}
				field.setAccessible(true);
				Object fieldValue = read(field, value);
				if (field.getName().equals("additionalProperties") && fieldValue instanceof Map<?, ?> extra) {
					extra.keySet().forEach((key) -> unknown.add(path + "." + key));
				}
				else {
					findUnknownFields(fieldValue, path + "." + field.getName(), unknown, visited);
				}
			}
		}
	}

	private static Object read(Field field, Object target) {
		try {
			return field.get(target);
		}
		catch (IllegalAccessException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
