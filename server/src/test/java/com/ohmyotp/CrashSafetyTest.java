package com.ohmyotp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.ohmyotp.db.Database;
import com.ohmyotp.support.Driver.Customer;
import com.ohmyotp.support.Http;
import com.ohmyotp.support.Invariants;
import com.ohmyotp.support.MixedTraffic;
import com.ohmyotp.support.NodeProcess;
import com.ohmyotp.support.TempFiles;
import com.ohmyotp.support.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.awaitility.core.ConditionTimeoutException;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

/**
 * The server process killed with SIGKILL again and again under mixed traffic, each time started
 * again on the same data (one embedded H2 file that grows with every round, or one PostgreSQL
 * schema in the PostgreSQL pass). After every kill, the data as the kill left it must hold the
 * money invariants ({@code invariants.sql}) and every rental and deposit answered 201 before it;
 * after every restart, the server must answer for the rentals of the round before.
 *
 * <p>The suite runs {@value #DEFAULT_KILLS} kills; {@code bench/crash.sh} runs the long form
 * ({@code -Dohmyotp.crash.kills=200}, {@code -Dohmyotp.crash.roundRequests=2000}: the most requests
 * answered in a round before its kill). {@code -Dohmyotp.crash.keepGoing=true} counts findings to
 * the end rather than stopping at the first.
 */
class CrashSafetyTest {

  static final int DEFAULT_KILLS = 20;
  private static final int CLIENTS = 8;
  private static final int SERVICES = 10;

  /**
   * How long a round may take to reach its kill: a server that answers nothing this long is stuck.
   * Generous, because the machine may be busy with other work too (the test suite, a build).
   */
  private static final Duration ROUND_DEADLINE = Duration.ofSeconds(180);

  @Test
  void killedAgainAndAgainUnderTrafficTheServerKeepsEveryAnsweredRentalAndNoMoneyIsLostOrMade()
      throws Exception {
    int kills = Integer.getInteger("ohmyotp.crash.kills", DEFAULT_KILLS);
    boolean keepGoing = Boolean.getBoolean("ohmyotp.crash.keepGoing");
    int roundRequests = Integer.getInteger("ohmyotp.crash.roundRequests", 600);
    Path data = Files.createTempDirectory("ohmyotp-crash-");
    TestDatabase database = TestDatabase.create();
    Map<String, String> settings = new HashMap<>(NodeProcess.testSettings());
    settings.put("OHMYOTP_DATA_DIR", data.toString());
    settings.put("OHMYOTP_SWEEP_INTERVAL_MS", "200");
    settings.putAll(database.settings());
    StoredData stored =
        TestDatabase.isPostgres()
            ? new StoredData(database.jdbcUrl(), null)
            : new StoredData(null, data.resolve("ohmyotp.mv.db"));
    List<String> findings = new ArrayList<>();
    int killsWithFindings = 0;
    int firstFinding = 0;
    int done = 0;
    long startedAt = System.nanoTime();
    NodeProcess node = NodeProcess.start("crash-1", settings);
    try {
      List<String> services = new ArrayList<>();
      for (int i = 0; i < SERVICES; i++) {
        services.add(node.driver.service("Crash", "0.40", "gateway", 60));
      }
      node.driver.numbers("gateway", 2_000);
      List<Customer> customers = new ArrayList<>();
      for (int i = 0; i < CLIENTS; i++) {
        customers.add(node.driver.customer("100"));
      }
      MixedTraffic traffic = new MixedTraffic(customers, services);

      while (done < kills) {
        List<MixedTraffic.Rental> answeredBeforeKill =
            killUnderTraffic(node, traffic, done + 1, roundRequests);
        node.close();
        done++;

        List<String> found = new ArrayList<>(stored.check(traffic, done));
        if (done < kills || firstFinding == 0) {
          node = NodeProcess.start("crash-" + (done + 1), settings);
          // The restarted server answers for the rentals it answered 201 just before the kill.
          for (MixedTraffic.Rental rental : answeredBeforeKill) {
            Http.Response r =
                node.http.get("/api/v1/rentals/" + rental.id(), rental.customer().key());
            if (r.status() != 200) {
              found.add(
                  "after the restart, rental "
                      + rental.id()
                      + " answered 201 before the kill: "
                      + r.status()
                      + " "
                      + r.text());
            }
          }
          if (traffic.numbersWanted() > 0) {
            node.driver.numbers("gateway", 2_000);
          }
        }
        for (String problem : found) {
          System.out.println("crash safety: kill " + done + ": " + problem);
        }
        findings.addAll(found);
        if (!found.isEmpty()) {
          killsWithFindings++;
          if (firstFinding == 0) {
            firstFinding = done;
            keepFile(stored);
          }
          if (!keepGoing) {
            break;
          }
        }
      }

      // Stopped the way an operator stops it: the data as a graceful stop leaves it.
      node.close();
      assertThat(node.output()).doesNotContain("level=ERROR");
      List<String> end = stored.check(traffic, done);
      end.forEach(problem -> findings.add("after a graceful stop: " + problem));
      System.out.printf(
          "crash safety: %d kills in %d s, %d rentals answered 201, %d stored, %s; "
              + "%d findings in %d of the kills%s%n",
          done,
          Duration.ofNanos(System.nanoTime() - startedAt).toSeconds(),
          traffic.answeredRentals().size(),
          stored.rentals(),
          stored.describeSize() + stored.describeCompacted(),
          findings.size(),
          killsWithFindings,
          firstFinding > 0 ? ", the first after kill " + firstFinding : "");
      if (stored.h2File() != null) {
        assertThat(data.resolve("ohmyotp.in-use"))
            .as("the mark of a file in use, after a graceful stop")
            .doesNotExist();
      }
      assertThat(traffic.unexpectedAnswers()).as("answers no request should get").isEmpty();
      assertThat(findings).as("rentals and money after SIGKILL").isEmpty();
    } finally {
      node.kill();
      node.close();
      database.drop();
      TempFiles.deleteTree(data);
    }
  }

  /**
   * Traffic until a random moment, then SIGKILL; returns the rentals answered 201 in this round.
   */
  private static List<MixedTraffic.Rental> killUnderTraffic(
      NodeProcess node, MixedTraffic traffic, int round, int mostRequests) throws Exception {
    MixedTraffic.Burst burst = traffic.start(node.http, CLIENTS);
    try {
      // A random moment: after between 50 and mostRequests requests of this round were answered.
      long moment = ThreadLocalRandom.current().nextLong(50, mostRequests);
      await("traffic under way")
          .atMost(ROUND_DEADLINE)
          .failFast("a client failed", burst::failed)
          .until(() -> burst.requests() >= moment || !node.process.isAlive());
    } catch (ConditionTimeoutException e) {
      throw new AssertionError(
          "round "
              + round
              + ": "
              + burst.requests()
              + " requests answered in "
              + ROUND_DEADLINE.toSeconds()
              + " s; the server said:\n"
              + node.output(),
          e);
    }
    assertThat(node.process.isAlive())
        .as("the server stopped by itself:\n%s", node.output())
        .isTrue();
    node.kill();
    burst.stop();
    assertThat(node.process.exitValue()).as("killed, not stopped").isEqualTo(137);
    return burst.rentals();
  }

  /** With -Dohmyotp.crash.keepFile=PATH, a copy of the H2 file where something was first found. */
  private static void keepFile(StoredData stored) throws Exception {
    String keep = System.getProperty("ohmyotp.crash.keepFile");
    if (keep != null && stored.h2File() != null) {
      Files.copy(stored.h2File(), Path.of(keep), StandardCopyOption.REPLACE_EXISTING);
      Path marker = stored.h2File().resolveSibling("ohmyotp.in-use");
      if (Files.exists(marker)) {
        Files.copy(
            marker,
            Path.of(keep.replace(".mv.db", "") + ".in-use"),
            StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }

  /**
   * The data a killed server left behind, read by the test itself: on H2 a copy of the data folder
   * as the kill left it, opened through {@link Database#open} as the next start opens it (the
   * server then opens its own); on PostgreSQL the schema.
   */
  private static final class StoredData {
    private final String postgresUrl;
    private final Path h2File;
    private long rentals;
    private long fileBytes;

    StoredData(String postgresUrl, Path h2File) {
      this.postgresUrl = postgresUrl;
      this.h2File = h2File;
    }

    Path h2File() {
      return h2File;
    }

    long rentals() {
      return rentals;
    }

    String describeSize() {
      return h2File == null
          ? "on PostgreSQL"
          : String.format(
              "file %.1f MB (%.1f KB a rental)",
              fileBytes / 1e6, fileBytes / 1e3 / Math.max(1, rentals));
    }

    /**
     * On H2, what the file would be compacted (a copy, opened and closed with SHUTDOWN COMPACT).
     */
    String describeCompacted() throws Exception {
      if (h2File == null) {
        return "";
      }
      Path copy = copyOfData();
      try {
        // Opened first as the server opens it, which recovers a file left in use, then compacted.
        openAsTheServerDoes(copy).close();
        try (Connection connection =
                DriverManager.getConnection("jdbc:h2:file:" + copy.resolve("ohmyotp"));
            Statement statement = connection.createStatement()) {
          statement.execute("SHUTDOWN COMPACT");
        }
        return String.format(
            ", %.1f MB compacted", Files.size(copy.resolve(h2File.getFileName())) / 1e6);
      } finally {
        TempFiles.deleteTree(copy);
      }
    }

    /** A copy of the H2 file and its in-use marker, in a new folder. */
    private Path copyOfData() throws Exception {
      Path copy = Files.createTempDirectory("ohmyotp-crash-copy-");
      for (Path file : List.of(h2File, h2File.resolveSibling("ohmyotp.in-use"))) {
        if (Files.exists(file)) {
          Files.copy(file, copy.resolve(file.getFileName()));
        }
      }
      return copy;
    }

    private static Database openAsTheServerDoes(Path folder) {
      return Database.open(
          "jdbc:h2:file:" + folder.resolve("ohmyotp"),
          "",
          "",
          2,
          Duration.ofSeconds(30),
          new SimpleMeterRegistry());
    }

    /** What breaks the invariants or is missing, as one line each; prints a line about the data. */
    List<String> check(MixedTraffic traffic, int kill) throws Exception {
      List<String> problems;
      if (h2File == null) {
        problems = Jdbi.create(postgresUrl).withHandle(h -> read(h, traffic));
      } else {
        fileBytes = Files.size(h2File);
        Path copy = copyOfData();
        try {
          try (Database db = openAsTheServerDoes(copy)) {
            problems = db.read(h -> read(h, traffic));
          }
        } finally {
          TempFiles.deleteTree(copy);
        }
      }
      System.out.printf(
          "crash safety: after kill %d, %d rentals answered 201, %d stored, %s, %s%n",
          kill,
          traffic.answeredRentals().size(),
          rentals,
          describeSize(),
          problems.isEmpty() ? "all there, invariants hold" : problems.size() + " findings");
      return problems;
    }

    private List<String> read(Handle h, MixedTraffic traffic) {
      List<String> problems = new ArrayList<>(Invariants.violations(h));
      Set<String> ids =
          new HashSet<>(h.createQuery("SELECT id FROM rentals").mapTo(String.class).list());
      rentals = ids.size();
      List<String> missing = new ArrayList<>();
      for (MixedTraffic.Rental rental : traffic.answeredRentals().values()) {
        if (!ids.contains(rental.id())) {
          missing.add(rental.id() + " (answered in round " + rental.burst() + ")");
        }
      }
      if (!missing.isEmpty()) {
        problems.add(
            "rentals answered 201 and not stored: "
                + missing.size()
                + ", "
                + missing.subList(0, Math.min(10, missing.size())));
      }
      Map<Long, Integer> deposits = new HashMap<>();
      h.createQuery(
              "SELECT account_id, COUNT(*) AS n FROM transactions WHERE type = 'deposit' GROUP BY account_id")
          .map((rs, ctx) -> deposits.put(rs.getLong("account_id"), rs.getInt("n")))
          .list();
      traffic
          .answeredDeposits()
          .forEach(
              (account, answered) -> {
                // Each account also has the deposit of its opening balance.
                int found = deposits.getOrDefault(account, 0) - 1;
                if (found < answered) {
                  problems.add(
                      "account "
                          + account
                          + ": "
                          + answered
                          + " deposits answered 201, "
                          + found
                          + " stored");
                }
              });
      return problems;
    }
  }
}
