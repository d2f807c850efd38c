package com.ohmyotp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.ohmyotp.support.Driver.Customer;
import com.ohmyotp.support.Http;
import com.ohmyotp.support.Invariants;
import com.ohmyotp.support.TestServer;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/** Many threads racing for the same numbers, money and rentals, over real HTTP. */
class ConcurrencyTest {

  TestServer server;

  @BeforeEach
  void start() {
    server = TestServer.start();
  }

  @AfterEach
  void stop() {
    try {
      Invariants.assertHold(server.app.database());
    } finally {
      server.close();
    }
  }

  /** Runs {@code n} copies of {@code task} released at the same instant; returns their results. */
  private static <T> List<T> race(int n, Callable<T> task) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<T>> futures = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        futures.add(
            pool.submit(
                () -> {
                  go.await();
                  return task.call();
                }));
      }
      go.countDown();
      List<T> results = new ArrayList<>();
      for (Future<T> f : futures) {
        results.add(f.get());
      }
      return results;
    } finally {
      pool.shutdownNow();
    }
  }

  private long count(String sql) {
    return server.app.database().read(h -> h.createQuery(sql).mapTo(Long.class).one());
  }

  @Test
  void fiftyThreadsRentingTheLastTenNumbersGetExactlyTen() throws Exception {
    String service = server.service("Uber", "0.4", "gateway");
    server.numbers("gateway", 10);
    Customer c = server.customer("100");
    List<Http.Response> answers =
        race(
            50,
            () ->
                server.http.post(
                    "/api/v1/rentals", c.key(), "{\"service_id\":\"" + service + "\"}"));

    List<Http.Response> created = answers.stream().filter(r -> r.status() == 201).toList();
    assertThat(created).hasSize(10);
    assertThat(answers).allSatisfy(r -> assertThat(r.status()).as(r.text()).isIn(201, 409));
    assertThat(created.stream().map(r -> r.json().get("phone_number").asText()).distinct())
        .hasSize(10);
    assertThat(server.balance(c)).isEqualByComparingTo("96");
    assertThat(count("SELECT COUNT(*) FROM transactions WHERE type = 'rental_charge'"))
        .isEqualTo(10);
  }

  @Test
  void fiftyThreadsWithBalanceForTenMakeExactlyTenCharges() throws Exception {
    String service = server.service("Walmart", "0.4", "gateway");
    server.numbers("gateway", 60);
    Customer c = server.customer("4");
    List<Http.Response> answers =
        race(
            50,
            () -> {
              // A client tries a 503 (no database connection free in time, on a loaded machine)
              // again, as its Retry-After asks; nothing was charged for it.
              Http.Response r;
              int tries = 0;
              do {
                r =
                    server.http.post(
                        "/api/v1/rentals", c.key(), "{\"service_id\":\"" + service + "\"}");
              } while (r.status() == 503 && ++tries < 5);
              return r;
            });

    assertThat(answers.stream().filter(r -> r.status() == 201)).hasSize(10);
    assertThat(answers.stream().filter(r -> r.status() == 402)).hasSize(40);
    assertThat(server.balance(c)).isEqualByComparingTo(BigDecimal.ZERO);
    assertThat(server.balance(c).toPlainString()).isEqualTo("0");
    assertThat(count("SELECT COUNT(*) FROM transactions WHERE type = 'rental_charge'"))
        .isEqualTo(10);
    assertThat(count("SELECT COUNT(*) FROM rentals")).isEqualTo(10);
  }

  @RepeatedTest(5)
  void cancelRacingAnSmsHasExactlyOneOutcomeAndTheMoneyMatchesIt() throws Exception {
    String service = server.service("DoorDash", "0.3", "gateway");
    server.numbers("gateway", 1);
    Customer c = server.customer("1");
    JsonNode rental = server.rent(c, service);
    String id = rental.get("id").asText();
    String phone = rental.get("phone_number").asText();

    List<Http.Response> answers =
        race(
            2,
            new Callable<>() {
              private final java.util.concurrent.atomic.AtomicInteger turn =
                  new java.util.concurrent.atomic.AtomicInteger();

              @Override
              public Http.Response call() {
                return turn.getAndIncrement() == 0
                    ? server.http.post("/api/v1/rentals/" + id + "/cancel", c.key(), null)
                    : server.inboundSms(phone, "DoorDash", "Your DoorDash code is 246810");
              }
            });
    Http.Response cancel =
        answers.stream().filter(r -> r.json().has("refund_amount")).findFirst().orElseThrow();
    Http.Response sms =
        answers.stream().filter(r -> r.json().has("rental_id")).findFirst().orElseThrow();
    assertThat(cancel.status()).isEqualTo(200);
    assertThat(sms.status()).isEqualTo(202);

    boolean smsWon = !sms.json().get("rental_id").isNull();
    JsonNode detail = server.http.get("/api/v1/rentals/" + id, c.key()).json();
    long unmatched = count("SELECT COUNT(*) FROM unmatched_sms");
    if (smsWon) {
      assertThat(cancel.json().get("refund_amount").toString()).isEqualTo("0");
      assertThat(detail.get("sms_messages")).hasSize(1);
      assertThat(unmatched).isZero();
      assertThat(server.balance(c)).isEqualByComparingTo("0.7");
    } else {
      assertThat(cancel.json().get("refund_amount").toString()).isEqualTo("0.3");
      assertThat(detail.get("sms_messages")).isEmpty();
      assertThat(unmatched).isEqualTo(1);
      assertThat(server.balance(c)).isEqualByComparingTo("1");
    }
    assertThat(detail.get("status").asText()).isEqualTo("cancelled");
  }

  @Test
  void concurrentReplaysOfOneIdempotencyKeyChargeOnce() throws Exception {
    String service = server.service("Amazon", "0.35", "gateway");
    server.numbers("gateway", 20);
    Customer c = server.customer("10");
    List<Http.Response> answers =
        race(
            20,
            () ->
                server.http.send(
                    "POST",
                    "/api/v1/rentals",
                    c.key(),
                    "{\"service_id\":\"" + service + "\"}",
                    Map.of("Idempotency-Key", "same-key-123")));
    assertThat(answers).allSatisfy(r -> assertThat(r.status()).as(r.text()).isIn(201, 409));
    assertThat(
            answers.stream()
                .filter(r -> r.status() == 201)
                .map(r -> r.json().get("id").asText())
                .distinct())
        .hasSize(1);
    assertThat(server.balance(c)).isEqualByComparingTo("9.65");
    assertThat(count("SELECT COUNT(*) FROM rentals")).isEqualTo(1);
  }

  @Test
  void balanceAlwaysEqualsTheSumOfTransactions() throws Exception {
    String service = server.service("Coinbase", "0.9", "gateway");
    server.numbers("gateway", 40);
    Customer c = server.customer("20");
    race(
        30,
        () -> {
          Http.Response r =
              server.http.post("/api/v1/rentals", c.key(), "{\"service_id\":\"" + service + "\"}");
          if (r.status() == 201) {
            server.http.post(
                "/api/v1/rentals/" + r.json().get("id").asText() + "/cancel", c.key(), null);
          }
          return r.status();
        });
    BigDecimal ledger =
        server
            .app
            .database()
            .read(
                h ->
                    h.createQuery("SELECT SUM(amount) FROM transactions WHERE account_id = :a")
                        .bind("a", c.id())
                        .mapTo(BigDecimal.class)
                        .one());
    assertThat(server.balance(c)).isEqualByComparingTo(ledger).isEqualByComparingTo("20");
  }

  @Test
  void aPollAfterAnSmsOrACancelWasAnsweredSeesItWhileOthersPollTheSameRentals() throws Exception {
    // Polls of unchanged rentals may be answered from memory (PollCache): one that starts after
    // a change was answered must still see it, however hard others poll the same rentals.
    // Four pollers outrun the default per-key rate limit, and a 429 would say nothing about
    // caching.
    server.close();
    server =
        TestServer.start(
            Map.of(
                "OHMYOTP_RATE_LIMIT_PER_SECOND",
                "1000000",
                "OHMYOTP_RATE_LIMIT_BURST",
                "10000000"));
    String service = server.service("Telegram", "0.3", "gateway");
    server.numbers("gateway", 20);
    Customer c = server.customer("100");
    List<JsonNode> rentals = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      rentals.add(server.rent(c, service));
    }
    AtomicBoolean done = new AtomicBoolean();
    ExecutorService pollers = Executors.newFixedThreadPool(4);
    try {
      for (int t = 0; t < 4; t++) {
        pollers.submit(
            () -> {
              while (!done.get()) {
                for (JsonNode r : rentals) {
                  server.http.get("/api/v1/rentals/" + r.get("id").asText() + "/code", c.key());
                }
              }
              return null;
            });
      }
      for (int i = 0; i < rentals.size(); i++) {
        String id = rentals.get(i).get("id").asText();
        String poll = "/api/v1/rentals/" + id + "/code";
        assertThat(server.http.get(poll, c.key()).json().get("code").isNull()).isTrue();
        if (i % 2 == 0) {
          String code = String.valueOf(100_000 + i);
          assertThat(
                  server
                      .inboundSms(
                          rentals.get(i).get("phone_number").asText(),
                          "Telegram",
                          "Telegram code " + code)
                      .status())
              .isEqualTo(202);
          JsonNode after = server.http.get(poll, c.key()).json();
          assertThat(after.get("code").asText()).isEqualTo(code);
          assertThat(after.get("status").asText()).isEqualTo("completed");
        } else {
          assertThat(server.http.post("/api/v1/rentals/" + id + "/cancel", c.key(), null).status())
              .isEqualTo(200);
          JsonNode after = server.http.get(poll, c.key()).json();
          assertThat(after.get("status").asText()).isEqualTo("cancelled");
          assertThat(after.get("code").isNull()).isTrue();
        }
      }
    } finally {
      done.set(true);
      pollers.shutdown();
      assertThat(pollers.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    }
  }
}
