package com.ohmyotp.support;

import org.flywaydb.core.Flyway;

/** An in-memory H2 database brought to a chosen schema version, for tests of one migration. */
public final class Migrations {

  private Migrations() {}

  /** A new, empty in-memory database that speaks as the server's H2 does; its JDBC URL. */
  public static String memoryDatabase(String name) {
    return "jdbc:h2:mem:"
        + name
        + "-"
        + System.nanoTime()
        + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1";
  }

  /** Runs the migrations up to and including {@code version}. */
  public static void migrateTo(String url, String version) {
    flyway(url).target(version).load().migrate();
  }

  /** Runs every migration not run yet. */
  public static void migrate(String url) {
    flyway(url).load().migrate();
  }

  private static org.flywaydb.core.api.configuration.FluentConfiguration flyway(String url) {
    return Flyway.configure().dataSource(url, "", "").locations("classpath:db/migration");
  }
}
