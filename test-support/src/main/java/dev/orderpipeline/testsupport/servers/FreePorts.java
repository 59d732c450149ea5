package dev.orderpipeline.testsupport.servers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/**
 * Free ports on 127.0.0.1, for the servers and services a test starts.
 */
public final class FreePorts {

	private FreePorts() {
	}

	/**
	 * A port on 127.0.0.1 that nothing listens on at the moment of the call.
	 * @return the port
	 */
	public static int next() {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
