package com.ohmyotp.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection pool, the schema migrations and transactions. Write paths run through {@link
 * #inTransaction}, which retries a whole transaction when the database reports a transient conflict
 * (deadlock, serialization failure, lock timeout) or when feature code signals one with {@link
 * RetryableConflict}.
 *
 * <p>Over 300 lines because how every query reaches either database is kept in one place: the pool,
 * each dialect's settings, the embedded file's group commit and the retry rule.
 */
public final class Database implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Database.class);
  private static final int MAX_ATTEMPTS = 8;

  private final HikariDataSource dataSource;
  private final Jdbi jdbi;
  private final Dialect dialect;
  private final boolean embedded;
  private final Optional<H2File> file;
  private final Optional<GroupCommit> commits;

  private Database(
      HikariDataSource dataSource,
      Dialect dialect,
      boolean embedded,
      Optional<H2File> file,
      Optional<GroupCommit> commits) {
    this.dataSource = dataSource;
    this.jdbi = Jdbi.create(dataSource);
    this.dialect = dialect;
    this.embedded = embedded;
    this.file = file;
    this.commits = commits;
  }

  /**
   * The SQL a database speaks beyond what both share. Feature code keeps to the common part, except
   * where one statement of each dialect replaces several round trips on a hot path.
   */
  public enum Dialect {
    H2,
    POSTGRESQL
  }

  /** Thrown by feature code inside a transaction to ask for the whole transaction to run again. */
  public static final class RetryableConflict extends RuntimeException {
    public RetryableConflict(String message) {
      super(message, null, false, false);
    }
  }

  /** Opens the pool and brings the schema up to date. */
  public static Database open(
      String url,
      String user,
      String password,
      int poolSize,
      Duration connectionTimeout,
      MeterRegistry metrics) {
    boolean h2 = url.startsWith("jdbc:h2:");
    boolean embedded = h2 && inProcess(url);
    Optional<H2File> file = embedded ? H2File.of(url) : Optional.empty();
    file.ifPresent(H2File::prepareForOpen);
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(h2 ? withH2Settings(url, file.isPresent()) : url);
    if (!user.isEmpty()) {
      config.setUsername(user);
    }
    if (!password.isEmpty()) {
      config.setPassword(password);
    }
    config.setMaximumPoolSize(poolSize);
    config.setMinimumIdle(Math.min(2, poolSize));
    config.setPoolName("ohmyotp");
    // A request waits at most this long for a connection; then it is answered 503 rather than
    // left hanging while the database is away. Start-up waits a little longer for it.
    config.setConnectionTimeout(connectionTimeout.toMillis());
    config.setValidationTimeout(Math.min(connectionTimeout.toMillis(), 1_000));
    config.setInitializationFailTimeout(5_000);
    if (!h2) {
      long seconds = Math.max(1, connectionTimeout.toSeconds());
      config.addDataSourceProperty("connectTimeout", seconds);
      config.addDataSourceProperty("tcpKeepAlive", true);
      config.addDataSourceProperty("ApplicationName", "ohmyotp");
    }
    config.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
    config.setMetricsTrackerFactory(new MicrometerMetricsTrackerFactory(metrics));
    HikariDataSource dataSource = new HikariDataSource(config);
    Optional<GroupCommit> commits = Optional.empty();
    try {
      Flyway.configure()
          .dataSource(dataSource)
          .locations("classpath:db/migration")
          .load()
          .migrate();
      if (file.isPresent()) {
        try (Connection c = dataSource.getConnection()) {
          commits = Optional.of(GroupCommit.of(c));
        }
        commits.get().writeNow();
      }
      file.ifPresent(H2File::restrictToOwner);
    } catch (RuntimeException | SQLException e) {
      dataSource.close();
      throw e instanceof RuntimeException r ? r : new IllegalStateException(e.getMessage(), e);
    }
    return new Database(dataSource, h2 ? Dialect.H2 : Dialect.POSTGRESQL, embedded, file, commits);
  }

  /** Which SQL the database speaks where the two differ. */
  public Dialect dialect() {
    return dialect;
  }

  /**
   * Whether the database runs inside this process alone (H2 on a file or in memory): a query then
   * costs no round trip, and no other process writes to it. An H2 reached over TCP, or opened so
   * that other processes may join (AUTO_SERVER, FILE_LOCK=NO), is neither.
   */
  public boolean embedded() {
    return embedded;
  }

  private static boolean inProcess(String h2Url) {
    String url = h2Url.toUpperCase(Locale.ROOT).replace(" ", "");
    return !url.startsWith("JDBC:H2:TCP:")
        && !url.startsWith("JDBC:H2:SSL:")
        && !url.contains(";AUTO_SERVER=TRUE")
        && !url.contains(";FILE_LOCK=NO");
  }

  /**
   * Settings that make H2 behave like the PostgreSQL the same SQL also runs on: lower-case names,
   * NULLs sorted last, row locks waited for rather than failed at once. QUERY_CACHE_SIZE is how
   * many parsed statements each connection keeps: H2's default of 8 is fewer than a rent and a
   * cancel run between them, so each statement was parsed again every time (64 gave 15% more rent +
   * cancel cycles, BENCHMARKS.md).
   *
   * <p>A file opened in this process is written by {@link GroupCommit} alone: H2 is told never to
   * write it by itself (its background writer waits longer than a process lives, 24 days, and never
   * compacts), and it is closed by {@link #close}, not by a hook of H2's own at exit. An H2 in
   * another process writes each commit before it returns (WRITE_DELAY=0), as well as it can.
   */
  private static String withH2Settings(String url, boolean fileInThisProcess) {
    StringBuilder sb = new StringBuilder(url);
    List<String> settings =
        new ArrayList<>(
            List.of(
                "MODE=PostgreSQL",
                "DATABASE_TO_LOWER=TRUE",
                "DEFAULT_NULL_ORDERING=HIGH",
                "LOCK_TIMEOUT=10000",
                "QUERY_CACHE_SIZE=64"));
    settings.addAll(
        fileInThisProcess
            ? List.of(
                "WRITE_DELAY=" + Integer.MAX_VALUE,
                "AUTO_COMPACT_FILL_RATE=0",
                "DB_CLOSE_ON_EXIT=FALSE")
            : List.of("WRITE_DELAY=0"));
    for (String setting : settings) {
      String name = setting.substring(0, setting.indexOf('='));
      if (!url.toUpperCase(Locale.ROOT).contains(";" + name + "=")) {
        sb.append(';').append(setting);
      }
    }
    return sb.toString();
  }

  /** Runs read-only work on one connection, in autocommit. */
  public <R, X extends Exception> R read(HandleCallback<R, X> callback) throws X {
    return jdbi.withHandle(callback);
  }

  /**
   * Runs {@code work} in one READ COMMITTED transaction, retried whole on transient conflicts. It
   * returns once the commit is as durable as the database makes it: on PostgreSQL, as its {@code
   * synchronous_commit} says; on the embedded H2, written to its file.
   */
  public <R> R inTransaction(HandleCallback<R, RuntimeException> work) {
    return inTransaction(false, work);
  }

  /**
   * Like {@link #inTransaction(HandleCallback)}, for a transaction that writes a great deal at once
   * (an import of thousands of rows): on the embedded H2, it runs while no other transaction does,
   * because so large a transaction can make H2 write its file by itself before it ends.
   */
  public <R> R inLargeTransaction(HandleCallback<R, RuntimeException> work) {
    return inTransaction(true, work);
  }

  private <R> R inTransaction(boolean large, HandleCallback<R, RuntimeException> work) {
    for (int attempt = 1; ; attempt++) {
      try {
        // READ COMMITTED is every pooled connection's level already (see open): asking Jdbi to
        // set it would cost two extra round trips per transaction on PostgreSQL.
        if (commits.isPresent()) {
          return commits.get().run(large, () -> jdbi.inTransaction(work));
        }
        return jdbi.inTransaction(work);
      } catch (RuntimeException e) {
        if (attempt >= MAX_ATTEMPTS || !isTransient(e)) {
          throw e;
        }
        backOff(attempt);
      }
    }
  }

  /**
   * Writes of the transaction on {@code h} to send together: in one round trip on PostgreSQL, one
   * after the other on H2.
   */
  public Pipeline pipeline(Handle h) {
    return new Pipeline(h, dialect == Dialect.POSTGRESQL);
  }

  /**
   * A connection outside the pool, for work that holds one for as long as the process runs and
   * would otherwise take a pooled one from the requests. The caller closes it.
   */
  Connection openDedicated(String applicationName) throws SQLException {
    Properties properties = new Properties();
    dataSource
        .getDataSourceProperties()
        .forEach((name, value) -> properties.setProperty(name.toString(), value.toString()));
    if (dataSource.getUsername() != null) {
      properties.setProperty("user", dataSource.getUsername());
    }
    if (dataSource.getPassword() != null) {
      properties.setProperty("password", dataSource.getPassword());
    }
    properties.setProperty("ApplicationName", applicationName);
    // A read that hears nothing for this long means the server or the network has gone.
    properties.setProperty("socketTimeout", "30");
    return DriverManager.getConnection(dataSource.getJdbcUrl(), properties);
  }

  /** Whether the database is reachable now; used by {@code /readyz}. */
  public boolean ping() {
    try (var connection = dataSource.getConnection()) {
      return connection.isValid(2);
    } catch (SQLException e) {
      return false;
    }
  }

  static boolean isTransient(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof RetryableConflict) {
        return true;
      }
      if (t instanceof SQLException sql) {
        String state = sql.getSQLState();
        int code = sql.getErrorCode();
        if ("40001".equals(state) || "40P01".equals(state) || "55P03".equals(state)) {
          return true;
        }
        // H2: deadlock (40001), lock timeout (50200), concurrent update (90131).
        if (code == 40001 || code == 50200 || code == 90131) {
          return true;
        }
      }
    }
    return false;
  }

  private static void backOff(int attempt) {
    try {
      Thread.sleep(ThreadLocalRandom.current().nextLong(1, 5L << Math.min(attempt, 5)));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while retrying a transaction", e);
    }
  }

  /** Unique-key violation: SQLSTATE 23505 on both PostgreSQL and H2. */
  public static boolean isUniqueViolation(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql && "23505".equals(sql.getSQLState())) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void close() {
    boolean closedCleanly = file.isEmpty() || shutDownH2();
    dataSource.close();
    if (closedCleanly) {
      file.ifPresent(H2File::closedCleanly);
    }
  }

  /** Closes the H2 database now, cleanly, whatever its URL says about closing it later. */
  private boolean shutDownH2() {
    Connection connection;
    try {
      connection = dataSource.getConnection();
    } catch (SQLException e) {
      log.warn("cannot close the database cleanly: {}", e.getMessage());
      return false;
    }
    try (var statement = connection.createStatement()) {
      statement.execute("SHUTDOWN");
      return true;
    } catch (SQLException e) {
      log.warn("cannot close the database cleanly: {}", e.getMessage());
      return false;
    } finally {
      // Evicted, not handed back: the pool would tidy it up on a database that has just closed,
      // and H2 would write that failure to a trace file beside the data.
      dataSource.evictConnection(connection);
    }
  }
}
