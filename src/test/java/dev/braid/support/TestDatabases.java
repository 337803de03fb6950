package dev.braid.support;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * PostgreSQL for the persistence and API tests: a Testcontainers server where Docker runs,
 * otherwise the local server at 127.0.0.1:5432 (trust auth, user postgres), on which every test
 * context gets a fresh database of its own.
 */
public final class TestDatabases {

    public static final String LOCAL_URL = "jdbc:postgresql://127.0.0.1:5432/";
    private static PostgreSQLContainer container;

    private TestDatabases() {
    }

    /** A JDBC URL, user and password of a new, empty database. */
    public record Database(String url, String username, String password, String name) {
    }

    public static synchronized Database create() {
        if (dockerAvailable()) {
            if (container == null) {
                container = new PostgreSQLContainer("postgres:16-alpine");
                container.start();
            }
            return fresh(container.getJdbcUrl().replaceAll("/[^/?]*(\\?.*)?$", "/"), container.getUsername(),
                    container.getPassword(), container.getDatabaseName());
        }
        return fresh(LOCAL_URL, "postgres", "", "postgres");
    }

    /** Runs SQL as the server's admin user, on its maintenance database. */
    public static void admin(Database db, String sql) {
        String base = db.url().substring(0, db.url().lastIndexOf('/') + 1);
        String maintenance = container != null ? container.getDatabaseName() : "postgres";
        try (Connection c = DriverManager.getConnection(base + maintenance, db.username(), db.password());
             Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot run '" + sql + "': " + e.getMessage(), e);
        }
    }

    private static boolean cleaned;

    private static Database fresh(String base, String user, String password, String maintenance) {
        String name = "braid_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection c = DriverManager.getConnection(base + maintenance, user, password);
             Statement s = c.createStatement()) {
            if (!cleaned) {
                cleaned = true;
                dropStale(c);
            }
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("no PostgreSQL for the tests: Docker is not available and the local "
                    + "server at " + LOCAL_URL + " refused: " + e.getMessage(), e);
        }
        return new Database(base + name, user, password, name);
    }

    /** Databases of earlier runs that nobody is connected to any more (another run's are in use). */
    private static void dropStale(Connection c) throws SQLException {
        java.util.List<String> stale = new java.util.ArrayList<>();
        try (Statement s = c.createStatement(); java.sql.ResultSet rs = s.executeQuery(
                "SELECT datname FROM pg_database d WHERE datname LIKE 'braid_it_%' AND NOT EXISTS "
                        + "(SELECT 1 FROM pg_stat_activity a WHERE a.datname = d.datname)")) {
            while (rs.next()) {
                stale.add(rs.getString(1));
            }
        }
        for (String db : stale) {
            try (Statement s = c.createStatement()) {
                s.execute("DROP DATABASE IF EXISTS " + db);
            } catch (SQLException e) {
                // someone connected meanwhile: leave it for a later run
            }
        }
    }

    private static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | Error e) {
            return false;
        }
    }
}
