package com.ohmyotp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.ohmyotp.support.Driver.Customer;
import com.ohmyotp.support.Http;
import com.ohmyotp.support.TestServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Floods: a burst on one API key, a flood of signed and of forged webhook posts, and the retention
 * that keeps unmatched SMS from growing for ever. Always 429 or 401, never a 5xx, and {@code
 * Retry-After} means what it says.
 */
class AbuseTest {

  /** Fires {@code count} requests from 16 threads at once; returns the statuses. */
  private static List<Http.Response> flood(
      int count, java.util.function.IntFunction<Http.Response> request) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      List<Future<Http.Response>> futures =
          IntStream.range(0, count).mapToObj(i -> pool.submit(() -> request.apply(i))).toList();
      List<Http.Response> responses = new java.util.ArrayList<>();
      for (Future<Http.Response> f : futures) {
        responses.add(f.get());
      }
      return responses;
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aBurstOnOneKeyGets429sWithRetryAfterThatHolds() throws Exception {
    try (TestServer server =
        TestServer.start(
            Map.of("OHMYOTP_RATE_LIMIT_PER_SECOND", "5", "OHMYOTP_RATE_LIMIT_BURST", "10"))) {
      Customer c = server.customer("1");
      List<Http.Response> burst = flood(200, i -> server.http.get("/api/v1/balance", c.key()));
      assertThat(burst).allMatch(r -> r.status() == 200 || r.status() == 429);
      long ok = burst.stream().filter(r -> r.status() == 200).count();
      assertThat(ok).isBetween(10L, 40L);
      Http.Response limited =
          burst.stream().filter(r -> r.status() == 429).findFirst().orElseThrow();
      assertThat(limited.json().get("error").asText()).isEqualTo("rate_limited");
      long retryAfter = Long.parseLong(limited.header("Retry-After"));
      assertThat(retryAfter).isBetween(1L, 2L);

      // Once the client has waited as told, it is served again.
      await()
          .pollDelay(Duration.ofSeconds(retryAfter))
          .atMost(Duration.ofSeconds(retryAfter + 3))
          .until(() -> server.http.get("/api/v1/balance", c.key()).status() == 200);
      assertThat(server.balance(c)).isEqualByComparingTo("1");
    }
  }

  @Test
  void webhookFloodsAreRefusedCheaplyAndStoreAtMostWhatWasAccepted() throws Exception {
    try (TestServer server = TestServer.start(Map.of("OHMYOTP_WEBHOOK_RATE_PER_SECOND", "20"))) {
      String body = "{\"to\":\"2125550100\",\"from\":\"x\",\"text\":\"flood\"}";
      List<Http.Response> forged =
          flood(
              300,
              i ->
                  server.http.send(
                      "POST",
                      "/api/v1/inbound/sms",
                      null,
                      body,
                      Map.of("X-Ohmyotp-Signature", "sha256=" + "ab".repeat(32))));
      assertThat(forged).allMatch(r -> r.status() == 401 || r.status() == 429);
      assertThat(unmatched(server)).isZero();

      await()
          .atMost(Duration.ofSeconds(5))
          .until(
              () -> server.inboundSms("2125550100", "x", "after the forged flood").status() == 202);
      List<Http.Response> signed =
          flood(500, i -> server.inboundSms("2125550100", "x", "signed flood " + i));
      assertThat(signed).allMatch(r -> r.status() == 202 || r.status() == 429);
      long accepted = signed.stream().filter(r -> r.status() == 202).count() + 1;
      assertThat(signed).anyMatch(r -> r.status() == 429);
      assertThat(signed.stream().filter(r -> r.status() == 429))
          .allMatch(r -> r.header("Retry-After") != null);
      assertThat(unmatched(server)).isEqualTo(accepted);

      // Unmatched SMS are kept 30 days, then the sweep forgets them.
      server.clock.advance(Duration.ofDays(31));
      server.app.sweepNow();
      assertThat(unmatched(server)).isZero();
    }
  }

  private static long unmatched(TestServer server) {
    return server
        .app
        .database()
        .read(h -> h.createQuery("SELECT COUNT(*) FROM unmatched_sms").mapTo(Long.class).one());
  }
}
