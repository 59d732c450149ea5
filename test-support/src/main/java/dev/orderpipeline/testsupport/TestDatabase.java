package dev.orderpipeline.testsupport;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;

import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * A database of the test run's own on the machine's PostgreSQL, dropped when the test JVM
 * exits, so tests depend on nothing an earlier run left and leave nothing behind.
 */
public final class TestDatabase {

	private static final String SERVER = System.getProperty("test.postgres.server", "127.0.0.1:5432");

	private static final String USER = System.getProperty("test.postgres.user", "postgres");

	private static final String PASSWORD = System.getProperty("test.postgres.password", "");

	private static final TestDatabase shared = create();

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

	private static TestDatabase create() {
		TestDatabase database = create("orders_test");
		Runtime.getRuntime().addShutdownHook(new Thread(database::drop));
		return database;
	}

	/**
	 * Creates a new database; the caller drops it.
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
		registry.add("spring.r2dbc.username", () -> USER);
		registry.add("spring.r2dbc.password", () -> PASSWORD);
	}

	/**
	 * Points a service process at this database.
	 * @return the command-line arguments
	 */
	public List<String> arguments() {
		return List.of("--spring.r2dbc.url=" + r2dbcUrl(), "--spring.r2dbc.username=" + USER,
				"--spring.r2dbc.password=" + PASSWORD);
	}

	/**
	 * The R2DBC URL of this database.
	 * @return the URL
	 */
	public String r2dbcUrl() {
		return "r2dbc:postgresql://" + SERVER + "/" + this.name;
	}

	/**
	 * The password of {@link #user()}.
	 * @return the password, empty for none
	 */
	public String password() {
		return PASSWORD;
	}

	/**
	 * The user to connect as.
	 * @return the user name
	 */
	public String user() {
		return USER;
	}

	/**
	 * The database's name.
	 * @return the name
	 */
	public String name() {
		return this.name;
	}

	/**
	 * A JDBC connection to this database, for assertions.
	 * @return the connection
	 * @throws SQLException if PostgreSQL cannot be reached
	 */
	public Connection connect() throws SQLException {
		return DriverManager.getConnection("jdbc:postgresql://" + SERVER + "/" + this.name, USER, PASSWORD);
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
		try (Connection connection = DriverManager.getConnection("jdbc:postgresql://" + SERVER + "/postgres", USER,
				PASSWORD); Statement statement = connection.createStatement()) {
			statement.execute(sql);
		}
		catch (SQLException ex) {
			throw new IllegalStateException("Could not run " + sql + " on PostgreSQL at " + SERVER, ex);
		}
	}

}
