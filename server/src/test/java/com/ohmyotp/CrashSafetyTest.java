package com.ohmyotp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.ohmyotp.support.Driver;
import com.ohmyotp.support.Driver.Customer;
import com.ohmyotp.support.Http;
import com.ohmyotp.support.Invariants;
import com.ohmyotp.support.NodeProcess;
import com.ohmyotp.support.TestDatabase;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

/**
 * The server process killed with SIGKILL in the middle of mixed traffic, then started again on
 * the same data (the embedded H2 file, or the PostgreSQL schema in the PostgreSQL pass): it
 * opens cleanly, every rental whose creation was answered 201 is there, and the money
 * invariants hold.
 */
class CrashSafetyTest {

  @Test
  void aKilledServerRestartsOnItsDataWithEveryAnsweredRentalAndNoMoneyLostOrMade() throws Exception {
    Path data = Files.createTempDirectory("ohmyotp-crash-");
    TestDatabase database = TestDatabase.create();
    Map<String, String> settings = new HashMap<>(NodeProcess.testSettings());
    settings.put("OHMYOTP_DATA_DIR", data.toString());
    settings.put("OHMYOTP_SWEEP_INTERVAL_MS", "200");
    settings.putAll(database.settings());
    try {
      NodeProcess node = NodeProcess.start("before-crash", settings);
      Driver setup = node.driver;
      String service = setup.service("Uber", "0.40", "gateway");
      setup.numbers("gateway", 200);
      List<Customer> customers = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        customers.add(setup.customer("30"));
      }

      Map<String, Customer> answered = new ConcurrentHashMap<>();
      ConcurrentLinkedQueue<String> phones = new ConcurrentLinkedQueue<>();
      AtomicBoolean up = new AtomicBoolean(true);
      ExecutorService traffic = Executors.newFixedThreadPool(8);
      List<Future<?>> workers = new ArrayList<>();
      for (int w = 0; w < 8; w++) {
        workers.add(traffic.submit(() -> {
          ThreadLocalRandom random = ThreadLocalRandom.current();
          while (up.get()) {
            Customer c = customers.get(random.nextInt(customers.size()));
            try {
              int dice = random.nextInt(4);
              List<String> ids = List.copyOf(answered.keySet());
              if (dice == 0 || ids.isEmpty()) {
                Http.Response r = node.http.post("/api/v1/rentals", c.key(), "{\"service_id\":\"" + service + "\"}");
                if (r.status() == 201) {
                  answered.put(r.json().get("id").asText(), c);
                  phones.add(r.json().get("phone_number").asText());
                }
              } else if (dice == 1) {
                String id = ids.get(random.nextInt(ids.size()));
                node.http.post("/api/v1/rentals/" + id + "/cancel", answered.get(id).key(), null);
              } else if (dice == 2 && !phones.isEmpty()) {
                String phone = List.copyOf(phones).get(random.nextInt(phones.size()));
                node.driver.inboundSms(phone, "Uber", "Your code is " + random.nextInt(1000, 9999));
              } else {
                node.http.get("/api/v1/balance", c.key());
              }
            } catch (UncheckedIOException | IllegalStateException connectionGone) {
              // The server was killed under this request; what it answered before is what counts.
            }
          }
          return null;
        }));
      }

      await("traffic under way").atMost(Duration.ofSeconds(30)).until(() -> answered.size() >= 30);
      node.kill();
      up.set(false);
      for (Future<?> f : workers) {
        f.get();
      }
      traffic.shutdown();
      assertThat(node.process.exitValue()).as("killed, not stopped").isEqualTo(137);

      NodeProcess again = NodeProcess.start("after-crash", settings);
      try {
        for (Map.Entry<String, Customer> rental : answered.entrySet()) {
          Http.Response r = again.http.get("/api/v1/rentals/" + rental.getKey(), rental.getValue().key());
          assertThat(r.status()).as("rental answered 201 before the crash: " + r.text()).isEqualTo(200);
        }
        assertThat(again.http.post("/api/v1/rentals", customers.get(0).key(),
            "{\"service_id\":\"" + service + "\"}").status()).as("serving again").isIn(201, 402);
      } finally {
        again.close();
      }
      assertThat(again.output()).doesNotContain("level=ERROR");

      // With the server stopped, the data itself: the H2 file opens, the invariants hold.
      Jdbi jdbi = Jdbi.create(TestDatabase.isPostgres() ? database.jdbcUrl()
          : "jdbc:h2:file:" + data.resolve("ohmyotp") + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE");
      Invariants.assertHold(jdbi);
      long stored = jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM rentals").mapTo(Long.class).one());
      assertThat(stored).isGreaterThanOrEqualTo(answered.size());
      System.out.printf("crash safety: %d rentals answered 201 before SIGKILL, %d stored%n", answered.size(), stored);
    } finally {
      database.drop();
    }
  }
}
