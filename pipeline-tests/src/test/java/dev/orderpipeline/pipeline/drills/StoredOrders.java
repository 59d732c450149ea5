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

import dev.orderpipeline.testsupport.ServiceProcess;
import dev.orderpipeline.testsupport.TestDatabase;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What the drills check in the end, on either binder: every order answered 2xx is a row,
 * once; and how many orders each sink stored.
 */
final class StoredOrders {

	private static final TestDatabase database = TestDatabase.shared();

	private StoredOrders() {
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
