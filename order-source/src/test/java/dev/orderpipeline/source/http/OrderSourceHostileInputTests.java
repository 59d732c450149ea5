package dev.orderpipeline.source.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import dev.orderpipeline.testsupport.TestTokens;
import dev.orderpipeline.testsupport.servers.TestRabbitMq;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.cloud.stream.binder.test.EnableTestBinder;
import org.springframework.cloud.stream.binder.test.OutputDestination;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A corpus of hostile and malformed requests, sent as raw bytes to the real HTTP server:
 * every one is answered 4xx, none 5xx, nothing is published, and the service is healthy
 * after. The broker is the test binder, which never confirms: an order that slipped
 * through would be answered 503, not 4xx.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "management.server.port=0", "orders.source.confirm-timeout=2s" })
@EnableTestBinder
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OrderSourceHostileInputTests {

	private static final String SENDER = "user-1";

	private static final String TOKEN = TestTokens.shared().token(SENDER, "orders:write");

	private static final String VALID = "{\"medicationId\": \"med-1\", \"sender_userId\": \"user-1\"}";

	@LocalServerPort
	private int port;

	@LocalManagementPort
	private int managementPort;

	@Autowired
	private OutputDestination output;

	private final List<Integer> statuses = new ArrayList<>();

	@DynamicPropertySource
	static void tokens(DynamicPropertyRegistry registry) {
		TestTokens.shared().register(registry);
		// The binder is the test binder; health still includes the broker's connection.
		TestRabbitMq.shared().register(registry);
	}

	static Stream<HostileRequest> corpus() {
		List<HostileRequest> corpus = new ArrayList<>();
		// Who is asking
		corpus.add(post("no token", "/orders", null, "application/json", VALID));
		corpus.add(post("empty bearer", "/orders", "Bearer ", "application/json", VALID));
		corpus.add(post("basic credentials", "/orders", "Basic dXNlcjpwYXNz", "application/json", VALID));
		corpus.add(post("token of junk", "/orders", "Bearer " + "A".repeat(2000), "application/json", VALID));
		corpus.add(post("SQL in the token", "/orders", "Bearer ' OR '1'='1", "application/json", VALID));
		corpus.add(post("token for another sender", "/orders",
				"Bearer " + TestTokens.shared().token("user-2", "orders:write"), "application/json", VALID));
		corpus.add(post("SQL injection as the sender", "/orders", "application/json",
				"{\"medicationId\": \"m\", \"sender_userId\": \"user-1' OR '1'='1\"}"));
		corpus.add(post("sender with a right-to-left override", "/orders", "application/json",
				"{\"medicationId\": \"m\", \"sender_userId\": \"user-1\\u202e\"}"));
		// What is sent
		corpus.add(post("text/plain", "/orders", "text/plain", VALID));
		corpus.add(
				post("application/xml", "/orders", "application/xml", "<order><medicationId>m</medicationId></order>"));
		corpus.add(post("form", "/orders", "application/x-www-form-urlencoded", "medicationId=m&sender_userId=user-1"));
		corpus.add(post("multipart", "/orders", "multipart/form-data; boundary=x",
				"--x\r\nContent-Disposition: form-data; name=\"medicationId\"\r\n\r\nm\r\n--x--\r\n"));
		corpus.add(post("content type not a media type", "/orders", "json", VALID));
		corpus.add(post("bare CR in the content type", "/orders", "application/json\rX-Injected: yes", VALID));
		corpus.add(post("empty body", "/orders", "application/json", ""));
		corpus.add(post("JSON null", "/orders", "application/json", "null"));
		corpus.add(post("JSON array", "/orders", "application/json", "[" + VALID + "]"));
		corpus.add(post("JSON string", "/orders", "application/json", "\"order\""));
		corpus.add(post("JSON number", "/orders", "application/json", "42"));
		corpus.add(post("truncated JSON", "/orders", "application/json", VALID.substring(0, 30)));
		corpus.add(post("trailing garbage", "/orders", "application/json", VALID + "xyz"));
		corpus.add(post("two documents", "/orders", "application/json", VALID + VALID));
		corpus.add(post("duplicate key", "/orders", "application/json",
				"{\"medicationId\": \"m\", \"medicationId\": \"n\", \"sender_userId\": \"user-1\"}"));
		corpus.add(post("deep array nesting", "/orders", "application/json", "[".repeat(5000) + "]".repeat(5000)));
		corpus.add(post("deep object nesting in a field", "/orders", "application/json", "{\"medicationId\": "
				+ "{\"a\":".repeat(2000) + "1" + "}".repeat(2000) + ", \"sender_userId\": \"user-1\"}"));
		corpus.add(post("body over the limit", "/orders", "application/json",
				"{\"medicationId\": \"" + "m".repeat(17 * 1024) + "\", \"sender_userId\": \"user-1\"}"));
		corpus.add(post("a megabyte of whitespace", "/orders", "application/json", " ".repeat(1024 * 1024) + VALID));
		corpus.add(post("huge exponent", "/orders", "application/json",
				"{\"medicationId\": 1e999999999, \"sender_userId\": \"user-1\"}"));
		corpus.add(post("huge integer", "/orders", "application/json",
				"{\"medicationId\": " + "9".repeat(5000) + ", \"sender_userId\": \"user-1\"}"));
		corpus
			.add(post("NaN", "/orders", "application/json", "{\"medicationId\": NaN, \"sender_userId\": \"user-1\"}"));
		corpus.add(post("Infinity", "/orders", "application/json",
				"{\"medicationId\": -Infinity, \"sender_userId\": \"user-1\"}"));
		corpus.add(post("medication as an object", "/orders", "application/json",
				"{\"medicationId\": {\"$ne\": null}, \"sender_userId\": \"user-1\"}"));
		corpus.add(post("medication as an array", "/orders", "application/json",
				"{\"medicationId\": [\"m\"], \"sender_userId\": \"user-1\"}"));
		corpus.add(post("medication null", "/orders", "application/json",
				"{\"medicationId\": null, \"sender_userId\": \"user-1\"}"));
		corpus.add(post("medication too long", "/orders", "application/json",
				"{\"medicationId\": \"" + "m".repeat(129) + "\", \"sender_userId\": \"user-1\"}"));
		corpus.add(post("escaped NUL in the medication", "/orders", "application/json",
				"{\"medicationId\": \"m\\u0000x\", \"sender_userId\": \"user-1\"}"));
		corpus.add(post("escaped bell in the medication", "/orders", "application/json",
				"{\"medicationId\": \"m\\u0007\", \"sender_userId\": \"user-1\"}"));
		corpus.add(post("lone surrogate", "/orders", "application/json",
				"{\"medicationId\": \"m\\ud800\", \"sender_userId\": \"user-1\"}"));
		corpus.add(post("zero-width space", "/orders", "application/json",
				"{\"medicationId\": \"m\\u200bx\", \"sender_userId\": \"user-1\"}"));
		corpus.add(post("byte order mark inside", "/orders", "application/json",
				"{\"medicationId\": \"m\\ufeff\", \"sender_userId\": \"user-1\"}"));
		corpus.add(post("unknown field", "/orders", "application/json",
				"{\"medicationId\": \"m\", \"sender_userId\": \"user-1\", \"admin\": true}"));
		corpus.add(post("order id chosen by the client", "/orders", "application/json",
				"{\"orderId\": \"00000000-0000-0000-0000-000000000000\", \"medicationId\": \"m\", \"sender_userId\": \"user-1\"}"));
		corpus.add(post("__proto__", "/orders", "application/json",
				"{\"__proto__\": {\"admin\": true}, \"medicationId\": \"m\", \"sender_userId\": \"user-1\"}"));
		corpus.add(post("SQL in the status", "/orders", "application/json",
				"{\"medicationId\": \"m\", \"sender_userId\": \"user-1\", \"status\": [\"PENDING'); DROP TABLE orders;--\"]}"));
		corpus.add(post("status not a list", "/orders", "application/json",
				"{\"medicationId\": \"m\", \"sender_userId\": \"user-1\", \"status\": \"PENDING\"}"));
		corpus.add(post("too many statuses", "/orders", "application/json",
				"{\"medicationId\": \"m\", \"sender_userId\": \"user-1\", \"status\": [" + "\"PENDING\",".repeat(16)
						+ "\"PENDING\"]}"));
		corpus.add(post("script in the medication", "/queue/neworder", "application/json",
				"{\"medicationId\": \"<script>alert(1)</script>\", \"sender_userId\": \"user-2\"}"));
		corpus.add(post("legacy route, empty object", "/queue/neworder", "application/json", "{}"));
		corpus.add(post("legacy route, no token", "/queue/neworder", null, "application/json", VALID));
		// Raw bytes the JSON parser must refuse
		corpus.add(raw("raw NUL byte in the body", request("POST", "/orders", TOKEN, "application/json",
				bytes("{\"medicationId\": \"m", new byte[] { 0 }, "\", \"sender_userId\": \"user-1\"}"))));
		corpus.add(raw("overlong UTF-8",
				request("POST", "/orders", TOKEN, "application/json", bytes("{\"medicationId\": \"m",
						new byte[] { (byte) 0xC0, (byte) 0xAF }, "\", \"sender_userId\": \"user-1\"}"))));
		corpus.add(raw("invalid UTF-8",
				request("POST", "/orders", TOKEN, "application/json", bytes("{\"medicationId\": \"m",
						new byte[] { (byte) 0xFF, (byte) 0xFE }, "\", \"sender_userId\": \"user-1\"}"))));
		// Headers and the request line
		corpus.add(withHeader("Idempotency-Key of 300 characters", "Idempotency-Key: " + "k".repeat(300)));
		corpus.add(withHeader("Idempotency-Key with non-ASCII bytes", "Idempotency-Key: caf\u00e9"));
		corpus.add(withHeader("header over the size limit", "X-Padding: " + "p".repeat(9000)));
		corpus.add(withHeader("NUL in a header value", "X-Test: a\u0000b"));
		corpus.add(withHeader("header name with a space", "X Bad: 1"));
		corpus.add(raw("two different Content-Length",
				("POST /orders HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + TOKEN
						+ "\r\nContent-Type: application/json\r\nContent-Length: 5\r\nContent-Length: " + VALID.length()
						+ "\r\nConnection: close\r\n\r\n" + VALID)
					.getBytes(StandardCharsets.ISO_8859_1)));
		corpus.add(raw("negative Content-Length",
				("POST /orders HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + TOKEN
						+ "\r\nContent-Type: application/json\r\nContent-Length: -1\r\nConnection: close\r\n\r\n"
						+ VALID)
					.getBytes(StandardCharsets.ISO_8859_1)));
		corpus.add(raw("chunked and Content-Length (smuggling)",
				("POST /orders HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + TOKEN
						+ "\r\nContent-Type: application/json\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n"
						+ "Connection: close\r\n\r\n0\r\n\r\nGET /orders HTTP/1.1\r\n\r\n")
					.getBytes(StandardCharsets.ISO_8859_1)));
		corpus.add(raw("URI of 20 kB", request("GET", "/orders?" + "q".repeat(20_000), TOKEN, null, new byte[0])));
		corpus.add(raw("not HTTP at all", "HELLO\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1)));
		corpus.add(raw("HTTP/2 preface on HTTP/1.1",
				"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1)));
		corpus.add(raw("unknown method", request("BREW", "/orders", TOKEN, "application/json", utf8(VALID))));
		corpus.add(raw("GET on the order route", request("GET", "/orders", TOKEN, null, new byte[0])));
		corpus.add(raw("path traversal to the actuator",
				request("GET", "/orders/../actuator/env", TOKEN, null, new byte[0])));
		corpus
			.add(raw("encoded NUL in the path", request("POST", "/orders%00", TOKEN, "application/json", utf8(VALID))));
		corpus.add(raw("TRACE", request("TRACE", "/orders", TOKEN, null, new byte[0])));
		return corpus.stream();
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("corpus")
	void everyHostileRequestIsAnswered4xx(HostileRequest hostile) throws IOException {
		int status = send(hostile.bytes());
		this.statuses.add(status);
		assertThat(status).as(hostile.name()).isBetween(400, 499);
	}

	@Test
	void theCorpusHasMoreThanSixtyRequests() {
		assertThat(corpus()).hasSizeGreaterThanOrEqualTo(60);
	}

	@AfterAll
	void nothingWasPublishedAndTheServiceIsHealthy() throws Exception {
		assertThat(this.statuses).isNotEmpty();
		assertThat(this.output.receive(500, "create_order_queue")).isNull();
		HttpResponse<String> health = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.managementPort + "/actuator/health"))
				.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(health.statusCode()).isEqualTo(200);
		assertThat(health.body()).contains("\"status\":\"UP\"");
	}

	private int send(byte[] request) throws IOException {
		try (Socket socket = new Socket("127.0.0.1", this.port)) {
			socket.setSoTimeout(10_000);
			OutputStream out = socket.getOutputStream();
			try {
				out.write(request);
				out.flush();
			}
			catch (IOException ex) {
				// The server may answer and close before reading everything; read its
				// answer.
			}
			return statusOf(socket.getInputStream());
		}
	}

	private static int statusOf(InputStream in) throws IOException {
		ByteArrayOutputStream line = new ByteArrayOutputStream();
		try {
			int b;
			while ((b = in.read()) != -1 && b != '\n') {
				line.write(b);
			}
		}
		catch (SocketTimeoutException ex) {
			throw new IllegalStateException("No answer within 10 s", ex);
		}
		String statusLine = line.toString(StandardCharsets.ISO_8859_1);
		assertThat(statusLine).as("status line").startsWith("HTTP/1.1 ");
		return Integer.parseInt(statusLine.substring(9, 12));
	}

	private static HostileRequest post(String name, String route, String contentType, String body) {
		return post(name, route, "Bearer " + TOKEN, contentType, body);
	}

	private static HostileRequest post(String name, String route, String authorization, String contentType,
			String body) {
		return raw(name, request("POST", route, authorization, contentType, utf8(body)));
	}

	private static HostileRequest withHeader(String name, String header) {
		byte[] body = utf8(VALID);
		String head = "POST /orders HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + TOKEN
				+ "\r\nContent-Type: application/json\r\n" + header + "\r\nContent-Length: " + body.length
				+ "\r\nConnection: close\r\n\r\n";
		return raw(name, bytes(head, body, ""));
	}

	private static byte[] request(String method, String target, String token, String contentType, byte[] body) {
		StringBuilder head = new StringBuilder(method + " " + target + " HTTP/1.1\r\nHost: localhost\r\n");
		if (token != null) {
			head.append("Authorization: ")
				.append(token.startsWith("Bearer") || token.startsWith("Basic") ? "" : "Bearer ")
				.append(token)
				.append("\r\n");
		}
		if (contentType != null) {
			head.append("Content-Type: ").append(contentType).append("\r\n");
		}
		head.append("Content-Length: ").append(body.length).append("\r\nConnection: close\r\n\r\n");
		return bytes(head.toString(), body, "");
	}

	private static HostileRequest raw(String name, byte[] bytes) {
		return new HostileRequest(name, bytes);
	}

	private static byte[] utf8(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

	private static byte[] bytes(String before, byte[] middle, String after) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		out.writeBytes(before.getBytes(StandardCharsets.UTF_8));
		out.writeBytes(middle);
		out.writeBytes(after.getBytes(StandardCharsets.UTF_8));
		return out.toByteArray();
	}

	/**
	 * A request of the corpus.
	 *
	 * @param name what it tries
	 * @param bytes the request as sent
	 */
	record HostileRequest(String name, byte[] bytes) {

		@Override
		public String toString() {
			return this.name;
		}

	}

}
