package dev.orderpipeline.source.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import dev.orderpipeline.testsupport.TestTokens;
import dev.orderpipeline.testsupport.servers.TestRabbitMq;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.cloud.stream.binder.test.EnableTestBinder;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A client that stops sending in the middle of its request is disconnected after
 * {@code orders.source.read-timeout}: it holds no connection for ever, nor a stream's
 * place.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "management.server.port=0", "orders.source.confirm-timeout=1s", "orders.source.read-timeout=2s",
				"orders.source.stream.max-streams-per-caller=1", "orders.source.rate-limit.enabled=false" })
@EnableTestBinder
@ExtendWith(OutputCaptureExtension.class)
class StalledClientTests {

	private static final String SENDER = "stalled-sender";

	private static final String TOKEN = TestTokens.shared().token(SENDER, "orders:write");

	@LocalServerPort
	private int port;

	@DynamicPropertySource
	static void tokens(DynamicPropertyRegistry registry) {
		TestTokens.shared().register(registry);
		// The binder is the test binder; health still includes the broker's connection.
		TestRabbitMq.shared().register(registry);
	}

	@ParameterizedTest
	@ValueSource(strings = { "application/json", "application/x-ndjson" })
	void aClientThatStopsSendingItsBodyIsDisconnected(String contentType, CapturedOutput output) throws IOException {
		try (Socket socket = new Socket("127.0.0.1", this.port)) {
			// Half an order of a body announced longer.
			send(socket, head(contentType, 1000) + "{\"medicationId\": \"med-1\", \"sender_");
			// Closed before the client's own read timeout of 30 s.
			assertThat(readToEnd(socket)).as("the connection is closed").isTrue();
		}
		// A client that stops sending is its own failure, not the service's.
		assertThat(output).doesNotContain("Unexpected failure");
	}

	@Test
	void aStalledStreamGivesItsPlaceBack() throws IOException {
		try (Socket stalled = new Socket("127.0.0.1", this.port)) {
			send(stalled, head("application/x-ndjson", 1000) + "{\"medicationId\": \"med-1\"");
			assertThat(readToEnd(stalled)).isTrue();
		}
		// The caller may have one stream: a second one is served once the first is gone
		// (its place is given back as the server finishes it, just after the close).
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
			try (Socket next = new Socket("127.0.0.1", this.port)) {
				String line = "\n";
				send(next, head("application/x-ndjson", line.length()) + line);
				assertThat(statusLine(next)).startsWith("HTTP/1.1 200");
			}
		});
	}

	private static String head(String contentType, int length) {
		return "POST /orders HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + TOKEN + "\r\nContent-Type: "
				+ contentType + "\r\nContent-Length: " + length + "\r\n\r\n";
	}

	private static void send(Socket socket, String request) throws IOException {
		socket.setSoTimeout(30_000);
		OutputStream out = socket.getOutputStream();
		out.write(request.getBytes(StandardCharsets.UTF_8));
		out.flush();
	}

	/**
	 * Reads what the server sends until it closes the connection.
	 * @return whether it closed it (rather than the read timing out)
	 */
	private static boolean readToEnd(Socket socket) throws IOException {
		InputStream in = socket.getInputStream();
		byte[] buffer = new byte[8192];
		try {
			while (in.read(buffer) != -1) {
				// What was answered before the close does not matter here.
			}
			return true;
		}
		catch (SocketTimeoutException ex) {
			return false;
		}
		catch (SocketException ex) {
			// A reset is a close too.
			return true;
		}
	}

	private static String statusLine(Socket socket) throws IOException {
		InputStream in = socket.getInputStream();
		StringBuilder line = new StringBuilder();
		int b;
		while ((b = in.read()) != -1 && b != '\n') {
			line.append((char) b);
		}
		return line.toString();
	}

}
