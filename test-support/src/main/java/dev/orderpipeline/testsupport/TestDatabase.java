package dev.orderpipeline.testsupport;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;

import dev.orderpipeline.testsupport.servers.TestPostgresql;

import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * A database on the test run's own PostgreSQL cluster ({@link TestPostgresql}), which
 * goes with the cluster when the test JVM exits, so tests depend on nothing an earlier
 * run left and leave nothing behind.
 */
public final class TestDatabase {

	private static final TestDatabase shared = create("orders_test");

	private final String name;

	private TestDatabase(String name) {
		this.name = name;
	}

	/**
	 * The database shared by the tests of this JVM.
	 * @return the database
	 */
	public static TestDatabase shared() {
		return shared;
	}

	/**
	 * Creates a new database on the test run's cluster.
	 * @param prefix the start of its name
	 * @return the database
	 */
	public static TestDatabase create(String prefix) {
		TestDatabase database = new TestDatabase(prefix + "_" + UUID.randomUUID().toString().replace("-", ""));
		database.admin("CREATE DATABASE " + database.name);
		return database;
	}

	/**
	 * Drops this database, closing its connections.
	 */
	public void drop() {
		admin("DROP DATABASE IF EXISTS " + this.name + " WITH (FORCE)");
	}

	/**
	 * Points the service at this database.
	 * @param registry the test's properties
	 */
	public void register(DynamicPropertyRegistry registry) {
		registry.add("spring.r2dbc.url", this::r2dbcUrl);
		registry.add("spring.r2dbc.username", this::user);
		registry.add("spring.r2dbc.password", this::password);
	}

	/**
	 * Points a Spring application in this JVM at this database through another port of
	 * 127.0.0.1, such as a {@link TcpProxy}'s that a test cuts.
	 * @param registry the test's properties
	 * @param port the port
	 */
	public void register(DynamicPropertyRegistry registry, int port) {
		registry.add("spring.r2dbc.url", () -> r2dbcUrl(port));
		registry.add("spring.r2dbc.username", this::user);
		registry.add("spring.r2dbc.password", this::password);
	}

	/**
	 * Points a service process at this database.
	 * @return the command-line arguments
	 */
	public List<String> arguments() {
		return List.of("--spring.r2dbc.url=" + r2dbcUrl(), "--spring.r2dbc.username=" + user(),
				"--spring.r2dbc.password=" + password());
	}

	/**
	 * The R2DBC URL of this database.
	 * @return the URL
	 */
	public String r2dbcUrl() {
		return r2dbcUrl(TestPostgresql.shared().port());
	}

	/**
	 * The R2DBC URL of this database through another port, a {@link TcpProxy}'s say.
	 * @param port the port on 127.0.0.1
	 * @return the URL
	 */
	public String r2dbcUrl(int port) {
		return "r2dbc:postgresql://127.0.0.1:" + port + "/" + this.name;
	}

	/**
	 * The password of {@link #user()}.
	 * @return the password
	 */
	public String password() {
		return TestPostgresql.shared().password();
	}

	/**
	 * The user to connect as.
	 * @return the user name
	 */
	public String user() {
		return TestPostgresql.shared().user();
	}

	/**
	 * The database's name.
	 * @return the name
	 */
	public String name() {
		return this.name;
	}

	/**
	 * The JDBC URL of this database.
	 * @return the URL
	 */
	public String jdbcUrl() {
		return "jdbc:postgresql://" + TestPostgresql.shared().server() + "/" + this.name;
	}

	/**
	 * A JDBC connection to this database, for assertions.
	 * @return the connection
	 * @throws SQLException if PostgreSQL cannot be reached
	 */
	public Connection connect() throws SQLException {
		return DriverManager.getConnection(jdbcUrl(), user(), password());
	}

	/**
	 * Counts rows.
	 * @param where an SQL condition on the {@code orders} table
	 * @return the number of matching orders
	 */
	public int countOrders(String where) {
		try (Connection connection = connect(); Statement statement = connection.createStatement()) {
			var result = statement.executeQuery("SELECT count(*) FROM orders WHERE " + where);
			result.next();
			return result.getInt(1);
		}
		catch (SQLException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private void admin(String sql) {
		TestPostgresql postgresql = TestPostgresql.shared();
		try (Connection connection = DriverManager
			.getConnection("jdbc:postgresql://" + postgresql.server() + "/postgres", user(), password());
				Statement statement = connection.createStatement()) {
			statement.execute(sql);
		}
		catch (SQLException ex) {
			throw new IllegalStateException("Could not run " + sql + " on PostgreSQL at " + postgresql.server(), ex);
		}
	}

}
