package com.ohmyotp.support;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Where a test server keeps its data. By default a fresh embedded H2 database in the server's
 * temporary folder. In the PostgreSQL pass of the suite ({@code ohmyotp.test.database=postgres},
 * with {@code ohmyotp.test.postgres} naming the run's database, as {@code scripts/test.sh} sets
 * up), each server gets a fresh schema of its own in that database instead, dropped when the server
 * closes, so tests stay as isolated from each other as they are on H2.
 */
public final class TestDatabase {

  /** The JDBC URL of the run's PostgreSQL database, when the suite runs on PostgreSQL. */
  public static Optional<String> postgresUrl() {
    if (!"postgres".equals(System.getProperty("ohmyotp.test.database"))) {
      return Optional.empty();
    }
    String url = System.getProperty("ohmyotp.test.postgres", "").trim();
    if (url.isEmpty()) {
      throw new IllegalStateException(
          "ohmyotp.test.database=postgres needs ohmyotp.test.postgres=<jdbc url>");
    }
    return Optional.of(url);
  }

  public static boolean isPostgres() {
    return postgresUrl().isPresent();
  }

  private final String schema;

  private TestDatabase(String schema) {
    this.schema = schema;
  }

  /** A fresh, empty database: on PostgreSQL a new schema, on H2 the server's own file. */
  public static TestDatabase create() {
    Optional<String> postgres = postgresUrl();
    if (postgres.isEmpty()) {
      return new TestDatabase(null);
    }
    String schema = "t" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
    execute(postgres.get(), "CREATE SCHEMA " + schema);
    return new TestDatabase(schema);
  }

  /** The settings that point a server (or several server processes) at this database. */
  public Map<String, String> settings() {
    Map<String, String> settings = new HashMap<>();
    if (schema != null) {
      settings.put("OHMYOTP_DB_URL", withSchema(postgresUrl().orElseThrow(), schema));
    }
    return settings;
  }

  public void drop() {
    if (schema != null) {
      execute(postgresUrl().orElseThrow(), "DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }
  }

  /** The JDBC URL of this database, for a test's own connection (PostgreSQL only). */
  public String jdbcUrl() {
    return withSchema(postgresUrl().orElseThrow(), schema);
  }

  private static String withSchema(String url, String schema) {
    return url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema;
  }

  /** Runs one statement on a short-lived connection of the test's own. */
  public static void execute(String url, String sql) {
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(
          "PostgreSQL for the tests: " + sql + ": " + e.getMessage(), e);
    }
  }
}
