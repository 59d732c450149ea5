package dev.orderpipeline.pipeline.drills;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;

import dev.orderpipeline.testsupport.ServiceProcess;
import dev.orderpipeline.testsupport.TestDatabase;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The drills' steps and checks, the same on either binder: a sink killed under load, a
 * broker down under load; every order answered 2xx is a row, once; how many orders each
 * sink stored.
 */
final class Drills {

	private static final TestDatabase database = TestDatabase.shared();

	private Drills() {
	}

	/**
	 * Kills the sink ({@code SIGKILL}) three times under the load, each time once it has
	 * taken {@code ordersPerRound} more orders, and restarts it.
	 * @param sink the running sink, replaced by each restart
	 * @param load the load
	 * @param ordersPerRound orders accepted between two kills
	 * @param track registers a restarted process for the test's cleanup
	 */
	static void killSinkThreeTimes(AtomicReference<ServiceProcess> sink, OrderLoad load, int ordersPerRound,
			UnaryOperator<ServiceProcess> track) throws Exception {
		for (int kill = 0; kill < 3; kill++) {
			int before = load.accepted().size();
			await().atMost(Duration.ofSeconds(60)).until(() -> load.accepted().size() > before + ordersPerRound);
			TimeUnit.SECONDS.sleep(1);
			sink.get().kill();
			TimeUnit.SECONDS.sleep(1);
			sink.set(track.apply(sink.get().restart()));
		}
	}

	/**
	 * Takes the broker down under the load: clients get refusals and no order is accepted
	 * while it is down; once it is back, orders are accepted again.
	 * @param load the load
	 * @param stop takes the broker down
	 * @param start brings it back
	 */
	static void brokerOutage(OrderLoad load, Runnable stop, Runnable start) throws Exception {
		await().atMost(Duration.ofSeconds(60)).until(() -> load.accepted().size() > 200);
		long refusedBefore = load.refused();
		stop.run();
		try {
			await().atMost(Duration.ofSeconds(30)).until(() -> load.refused() > refusedBefore + 10);
			int acceptedWhileDown = load.accepted().size();
			TimeUnit.SECONDS.sleep(3);
			assertThat(load.accepted()).as("orders accepted while the broker is down").hasSize(acceptedWhileDown);
		}
		finally {
			start.run();
		}
		int acceptedAfterRestart = load.accepted().size();
		await().atMost(Duration.ofSeconds(60)).until(() -> load.accepted().size() > acceptedAfterRestart + 200);
	}

	static void assertEveryAcceptedOrderStoredOnce(OrderLoad load) {
		Set<String> accepted = load.accepted();
		assertThat(accepted).isNotEmpty();
		await("every accepted order stored").atMost(Duration.ofSeconds(90))
			.pollInterval(Duration.ofSeconds(1))
			.until(() -> storedAmong(accepted) == accepted.size());
		assertThat(database.countOrders("sender_user_id = '" + load.sender() + "'"))
			.as("rows (an order answered 503 after a lost confirm may also be stored)")
			.isGreaterThanOrEqualTo(accepted.size());
	}

	/**
	 * The two sinks both stored orders, and their counts add up to the rows: no order was
	 * stored by both.
	 */
	static void assertSharedWithoutDuplicates(OrderLoad load, ServiceProcess first, ServiceProcess second)
			throws Exception {
		assertThat(storedBy(first)).isPositive();
		assertThat(storedBy(second)).isPositive();
		await("the sinks' stored counts add up to the rows").atMost(Duration.ofSeconds(30))
			.until(() -> storedBy(first) + storedBy(second) == database
				.countOrders("sender_user_id = '" + load.sender() + "'"));
	}

	private static long storedAmong(Set<String> orderIds) throws Exception {
		try (Connection connection = database.connect();
				PreparedStatement query = connection
					.prepareStatement("SELECT count(*) FROM orders WHERE order_id = ANY (?::uuid[])")) {
			query.setArray(1, connection.createArrayOf("text", orderIds.toArray()));
			ResultSet result = query.executeQuery();
			result.next();
			return result.getLong(1);
		}
	}

	private static double storedBy(ServiceProcess sink) throws IOException, InterruptedException {
		HttpResponse<String> metrics = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create(sink.actuatorUri() + "/prometheus")).build(),
					HttpResponse.BodyHandlers.ofString());
		return metrics.body()
			.lines()
			.filter((line) -> line.startsWith("orders_stored_total"))
			.mapToDouble((line) -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
			.sum();
	}

}
