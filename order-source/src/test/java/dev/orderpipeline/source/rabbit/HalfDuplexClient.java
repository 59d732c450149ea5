package dev.orderpipeline.source.rabbit;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client that writes a whole stream of orders before it reads anything (as curl
 * {@code --data-binary} does), through 4 KB socket buffers, and then reads every result
 * line of the answer.
 */
final class HalfDuplexClient {

	private HalfDuplexClient() {
	}

	static List<JsonNode> send(int port, String token, byte[] body, JsonMapper json) throws Exception {
		try (Socket socket = new Socket()) {
			socket.setReceiveBufferSize(4096);
			socket.setSendBufferSize(4096);
			socket.connect(new InetSocketAddress("127.0.0.1", port));
			OutputStream out = socket.getOutputStream();
			CompletableFuture<Void> sent = CompletableFuture.runAsync(() -> {
				try {
					out.write(("POST /orders HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + token
							+ "\r\nContent-Type: application/x-ndjson\r\nContent-Length: " + body.length
							+ "\r\nConnection: close\r\n\r\n")
						.getBytes(StandardCharsets.US_ASCII));
					out.write(body);
					out.flush();
				}
				catch (Exception ex) {
					throw new IllegalStateException(ex);
				}
			});
			// Nothing is read until the whole body is out.
			sent.get(120, TimeUnit.SECONDS);
			socket.setSoTimeout(60_000);
			return readChunkedLines(socket.getInputStream(), json);
		}
	}

	private static List<JsonNode> readChunkedLines(InputStream in, JsonMapper json) throws Exception {
		String head = readLine(in);
		assertThat(head).startsWith("HTTP/1.1 200");
		boolean chunked = false;
		for (String header = readLine(in); !header.isEmpty(); header = readLine(in)) {
			chunked |= header.equalsIgnoreCase("transfer-encoding: chunked");
		}
		assertThat(chunked).isTrue();
		ByteArrayOutputStream content = new ByteArrayOutputStream();
		for (int size = Integer.parseInt(readLine(in).trim(), 16); size > 0; size = Integer
			.parseInt(readLine(in).trim(), 16)) {
			content.write(in.readNBytes(size));
			readLine(in);
		}
		return content.toString(StandardCharsets.UTF_8).lines().map(json::readTree).toList();
	}

	private static String readLine(InputStream in) throws Exception {
		ByteArrayOutputStream line = new ByteArrayOutputStream();
		for (int b = in.read(); b != '\n'; b = in.read()) {
			if (b < 0) {
				throw new IllegalStateException("The answer ended early");
			}
			if (b != '\r') {
				line.write(b);
			}
		}
		return line.toString(StandardCharsets.US_ASCII);
	}

}
