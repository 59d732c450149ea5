package dev.orderpipeline.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy on 127.0.0.1 that a test can cut and restore, to make a service on this
 * machine unreachable without stopping it. While cut, its port refuses connections and
 * every open connection is closed.
 */
public final class TcpProxy implements AutoCloseable {

	private final int targetPort;

	private final int port;

	private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();

	private volatile ServerSocket server;

	private boolean cut;

	public TcpProxy(int targetPort) throws IOException {
		this.targetPort = targetPort;
		this.server = listen(0);
		this.port = this.server.getLocalPort();
		accept(this.server);
	}

	/**
	 * The port to connect to instead of the target's.
	 * @return the port on 127.0.0.1
	 */
	public int port() {
		return this.port;
	}

	/**
	 * Refuses new connections and closes the open ones.
	 * @throws IOException if the listening socket cannot be closed
	 */
	public synchronized void cut() throws IOException {
		this.cut = true;
		this.server.close();
		for (Socket socket : this.sockets) {
			closeQuietly(socket);
		}
		this.sockets.clear();
	}

	/**
	 * Accepts connections again, on the same port.
	 * @throws IOException if the port cannot be bound again
	 */
	public synchronized void restore() throws IOException {
		this.cut = false;
		this.server = listen(this.port);
		accept(this.server);
	}

	@Override
	public void close() throws IOException {
		cut();
	}

	private static ServerSocket listen(int port) throws IOException {
		ServerSocket server = new ServerSocket();
		server.setReuseAddress(true);
		server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
		return server;
	}

	private void accept(ServerSocket listening) {
		daemon("proxy-accept-" + this.port, () -> {
			while (!listening.isClosed()) {
				try {
					Socket client = listening.accept();
					Socket target = new Socket(InetAddress.getLoopbackAddress(), this.targetPort);
					if (!register(client, target)) {
						closeQuietly(client);
						closeQuietly(target);
						continue;
					}
					pump(client, target);
					pump(target, client);
				}
				catch (IOException ex) {
					// cut, or the target refused: the client sees its connection end
				}
			}
		});
	}

	private synchronized boolean register(Socket client, Socket target) {
		if (this.cut) {
			return false;
		}
		this.sockets.add(client);
		this.sockets.add(target);
		return true;
	}

	private void pump(Socket from, Socket to) {
		daemon("proxy-pump-" + this.port, () -> {
			byte[] buffer = new byte[16 * 1024];
			try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
				int read;
				while ((read = in.read(buffer)) != -1) {
					out.write(buffer, 0, read);
					out.flush();
				}
			}
			catch (IOException ex) {
				// the other side closed, or the proxy was cut
			}
			finally {
				closeQuietly(from);
				closeQuietly(to);
				this.sockets.remove(from);
				this.sockets.remove(to);
			}
		});
	}

	private static void daemon(String name, Runnable task) {
		Thread thread = new Thread(task, name);
		thread.setDaemon(true);
		thread.start();
	}

	private static void closeQuietly(Socket socket) {
		try {
			socket.close();
		}
		catch (IOException ex) {
			// already closed
		}
	}

}
