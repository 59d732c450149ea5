package dev.orderpipeline.migration;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;

/**
 * Sends legacy rows to order-source as one stream of {@code POST /orders}
 * ({@code application/x-ndjson}) and reads each line's answer.
 */
class IntakeClient {

	private static final String PROBLEM_TYPES = "https://orderpipeline.dev/problems/";

	private final RestClient rest;

	private final JsonMapper json;

	private final Supplier<String> token;

	IntakeClient(RestClient rest, JsonMapper json, Supplier<String> token) {
		this.rest = rest;
		this.json = json;
		this.token = token;
	}

	/**
	 * Sends rows as one stream.
	 * @param rows the rows, at most order-source's most lines per stream
	 * @return each row's outcome, in the rows' order
	 * @throws IntakeUnavailableException when the stream was not answered in full: none
	 * of its outcomes is known, and sending it again is safe
	 * @throws MigrationRefusedException when order-source refuses the migration itself
	 * (the token, its scopes, the batch size): no attempt will do better
	 */
	List<Outcome> send(List<LegacyRow> rows) {
		ByteArrayOutputStream body = new ByteArrayOutputStream(rows.size() * 200);
		for (LegacyRow row : rows) {
			body.writeBytes(this.json.writeValueAsBytes(row));
			body.write('\n');
		}
		String token = this.token.get();
		try {
			return this.rest.post()
				.uri("/orders")
				.contentType(MediaType.APPLICATION_NDJSON)
				.accept(MediaType.APPLICATION_NDJSON, MediaType.APPLICATION_PROBLEM_JSON)
				.header(HttpHeaders.AUTHORIZATION, "Bearer " + token)
				.body(body.toByteArray())
				.exchange((request, response) -> {
					int status = response.getStatusCode().value();
					if (status != 200) {
						String problem = new String(response.getBody().readAllBytes(), StandardCharsets.UTF_8);
						String retryAfter = response.getHeaders().getFirst(HttpHeaders.RETRY_AFTER);
						throw refusal(status, problem, (retryAfter != null) ? seconds(retryAfter) : null);
					}
					try (BufferedReader lines = new BufferedReader(
							new InputStreamReader(response.getBody(), StandardCharsets.UTF_8))) {
						return outcomes(lines, rows.size());
					}
				}, true);
		}
		catch (ResourceAccessException | UncheckedIOException ex) {
			throw new IntakeUnavailableException(
					"order-source could not be reached or stopped answering: " + ex.getMessage(), null, ex);
		}
	}

	private List<Outcome> outcomes(BufferedReader lines, int rows) throws IOException {
		List<Outcome> outcomes = new ArrayList<>(rows);
		for (int i = 0; i < rows; i++) {
			outcomes.add(null);
		}
		boolean done = false;
		String line;
		while ((line = lines.readLine()) != null) {
			JsonNode result = read(line);
			String kind = result.path("result").asString();
			if ("done".equals(kind)) {
				done = true;
				break;
			}
			int number = result.path("line").asInt();
			if (number < 1 || number > rows) {
				throw new IntakeUnavailableException("order-source answered a line it was not sent: " + line, null,
						null);
			}
			outcomes.set(number - 1, "accepted".equals(kind) ? Outcome.ACCEPTED : rejected(result.path("problem")));
		}
		if (!done || outcomes.contains(null)) {
			throw new IntakeUnavailableException("order-source's answer ended before every line was answered", null,
					null);
		}
		return outcomes;
	}

	private Outcome rejected(JsonNode problem) {
		int status = problem.path("status").asInt();
		String type = problem.path("type").asString("");
		if (status == 401 || status == 403 || type.equals(PROBLEM_TYPES + "too-many-lines")) {
			// The token, its scopes, or a batch larger than a stream takes.
			throw new MigrationRefusedException("order-source refused the migration: " + problem);
		}
		if (status == 429 || status >= 500) {
			return new Outcome(Kind.RETRY, problem, seconds(problem.path("retryAfter").asString("1")));
		}
		return new Outcome(Kind.REJECTED, problem, null);
	}

	private RuntimeException refusal(int status, String problem, Duration retryAfter) {
		if (status == 429 || status >= 500) {
			return new IntakeUnavailableException("order-source answered " + status + ": " + problem, retryAfter, null);
		}
		return new MigrationRefusedException("order-source refused the stream (" + status + "): " + problem);
	}

	private JsonNode read(String line) {
		try {
			return this.json.readTree(line);
		}
		catch (JacksonException ex) {
			throw new IntakeUnavailableException("order-source answered a line that is not JSON: " + line, null, ex);
		}
	}

	private static Duration seconds(String value) {
		try {
			return Duration.ofSeconds(Math.max(1, Long.parseLong(value.trim())));
		}
		catch (NumberFormatException ex) {
			return Duration.ofSeconds(1);
		}
	}

	/** What became of a row. */
	enum Kind {

		/** Stored, or about to be: order-source's broker confirmed the order. */
		ACCEPTED,

		/** Not now (rate limit, broker unavailable): to be sent again. */
		RETRY,

		/** Refused for what it holds: written to the rejects, never sent again. */
		REJECTED

	}

	/**
	 * A row's outcome.
	 *
	 * @param kind what became of it
	 * @param problem order-source's problem, unless accepted
	 * @param retryAfter when to send it again, for {@link Kind#RETRY}
	 */
	record Outcome(Kind kind, JsonNode problem, Duration retryAfter) {

		static final Outcome ACCEPTED = new Outcome(Kind.ACCEPTED, null, null);

	}

}
