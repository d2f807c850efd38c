package com.ohmyotp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.ohmyotp.db.Database;
import com.ohmyotp.support.Driver.Customer;
import com.ohmyotp.support.FakeProvider;
import com.ohmyotp.support.FakeProvider.Mode;
import com.ohmyotp.support.Http;
import com.ohmyotp.support.Invariants;
import com.ohmyotp.support.NodeProcess;
import com.ohmyotp.support.TempFiles;
import com.ohmyotp.support.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

/**
 * A server process killed (SIGKILL) while a provider sells it a number, before it could record the
 * rental: started again on the same data, it finds the number nobody holds and cancels it at the
 * provider, and the customer was charged nothing.
 */
class UpstreamCrashTest {

  @Test
  void aNumberBoughtByAProcessKilledBeforeItsCommitIsCancelledAfterTheRestart() throws Exception {
    Path data = Files.createTempDirectory("ohmyotp-upstream-crash-");
    TestDatabase database = TestDatabase.create();
    Map<String, String> settings = new HashMap<>(NodeProcess.testSettings());
    settings.put("OHMYOTP_DATA_DIR", data.toString());
    settings.put("OHMYOTP_PROVIDER_RECONCILE_AFTER_MS", "1000");
    settings.putAll(database.settings());
    AtomicReference<NodeProcess> running = new AtomicReference<>();
    try (FakeProvider fake = new FakeProvider("crash-key-0001")) {
      NodeProcess node = NodeProcess.start("upstream-crash-1", settings);
      running.set(node);
      Http.Response service =
          node.driver.admin(
              "POST",
              "/api/admin/services",
              "{\"name\":\"Resold\",\"category\":\"T\",\"price\":0.50,\"source\":\"upstream\"}");
      assertThat(service.status()).as(service.text()).isEqualTo(201);
      Http.Response provider =
          node.driver.admin(
              "POST",
              "/api/admin/providers",
              "{\"name\":\"fake\",\"url\":\""
                  + fake.url()
                  + "\",\"api_key\":\""
                  + fake.key
                  + "\",\"services\":{\"Resold\":\"ub\"}}");
      assertThat(provider.status()).as(provider.text()).isEqualTo(201);
      Customer c = node.driver.customer("1");

      // The provider sells, and the buyer dies before the answer reaches it.
      fake.stock("12125557001").mode(Mode.SELL_THEN_HOOK).onSale(() -> running.get().kill());
      try {
        node.http.post("/api/v1/rentals", c.key(), "{\"service_id\":\"Resold\"}");
      } catch (RuntimeException expected) {
        // The connection went with the process.
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> !node.process.isAlive());
      assertThat(fake.openActivations()).containsExactly("1001");

      NodeProcess again = NodeProcess.start("upstream-crash-2", settings);
      running.set(again);
      try {
        try {
          await("the orphaned activation is cancelled at the provider")
              .atMost(Duration.ofSeconds(40))
              .until(() -> fake.openActivations().isEmpty());
        } catch (org.awaitility.core.ConditionTimeoutException e) {
          again.close();
          String rows = "";
          if (!TestDatabase.isPostgres()) {
            try (Database db =
                Database.open(
                    "jdbc:h2:file:" + data.resolve("ohmyotp"),
                    "",
                    "",
                    2,
                    Duration.ofSeconds(30),
                    new SimpleMeterRegistry())) {
              rows =
                  db.read(h -> h.createQuery("SELECT * FROM provider_purchases").mapToMap().list())
                      .toString();
            }
          }
          throw new AssertionError(
              rows
                  + "\n"
                  + fake.calls("getActiveActivations")
                  + "\n"
                  + e.getMessage()
                  + "\nfirst node:\n"
                  + node.output()
                  + "\nsecond:\n"
                  + again.output(),
              e);
        }
        List<FakeProvider.Call> cancels = fake.calls("setStatus");
        assertThat(cancels).hasSize(1);
        assertThat(cancels.get(0).params())
            .containsEntry("id", "1001")
            .containsEntry("status", "8");
        assertThat(again.driver.balance(c)).isEqualByComparingTo("1");
        assertThat(again.http.get("/api/v1/rentals/history", c.key()).json().get("total").asInt())
            .isZero();
      } finally {
        again.close();
      }
      List<String> violations;
      if (TestDatabase.isPostgres()) {
        violations = Jdbi.create(database.jdbcUrl()).withHandle(Invariants::violations);
      } else {
        try (Database db =
            Database.open(
                "jdbc:h2:file:" + data.resolve("ohmyotp"),
                "",
                "",
                2,
                Duration.ofSeconds(30),
                new SimpleMeterRegistry())) {
          violations = db.read(Invariants::violations);
        }
      }
      assertThat(violations).isEmpty();
    } finally {
      NodeProcess last = running.get();
      if (last != null && last.process.isAlive()) {
        last.kill();
      }
      database.drop();
      TempFiles.deleteTree(data);
    }
  }
}
