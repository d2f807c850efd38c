package com.ohmyotp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.ohmyotp.support.Driver.Customer;
import com.ohmyotp.support.FakeProvider;
import com.ohmyotp.support.FakeProvider.Mode;
import com.ohmyotp.support.Http;
import com.ohmyotp.support.Invariants;
import com.ohmyotp.support.TestServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Numbers resold from upstream providers: fake providers in the test JVM that speak the protocol
 * and misbehave on demand, and a second ohmyotp as a real one.
 */
class UpstreamProvidersTest {

  static TestServer server;
  static final AtomicInteger NAMES = new AtomicInteger();
  static final AtomicInteger PHONES = new AtomicInteger(1000);

  @BeforeAll
  static void start() {
    server =
        TestServer.start(
            Map.of(
                "OHMYOTP_PROVIDER_READ_TIMEOUT_MS", "600",
                "OHMYOTP_PROVIDER_BREAKER_FAILURES", "3",
                "OHMYOTP_PROVIDER_BREAKER_OPEN_MS", "400"));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  /** A new upstream service at {@code price}; returns its name. */
  static String upstreamService(String price) {
    String name = "Resold" + NAMES.incrementAndGet();
    Http.Response r =
        server.admin(
            "POST",
            "/api/admin/services",
            "{\"name\":\""
                + name
                + "\",\"category\":\"Test\",\"price\":"
                + price
                + ",\"source\":\"upstream\"}");
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    return name;
  }

  /** Registers a provider selling {@code service} under code {@code code}; returns its name. */
  static String provider(String url, String key, String service, String code, String extra) {
    String name = "prov" + NAMES.incrementAndGet();
    Http.Response r =
        server.admin(
            "POST",
            "/api/admin/providers",
            "{\"name\":\""
                + name
                + "\",\"url\":\""
                + url
                + "\",\"api_key\":\""
                + key
                + "\",\"services\":{\""
                + service
                + "\":\""
                + code
                + "\"}"
                + (extra.isEmpty() ? "" : "," + extra)
                + "}");
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    assertThat(r.text()).doesNotContain(key);
    return name;
  }

  static String phone() {
    return "1212555" + PHONES.incrementAndGet();
  }

  static Http.Response rent(Customer c, String service) {
    return server.http.post(
        "/api/v1/rentals", c.key(), "{\"service_id\":" + TestServer.quote(service) + "}");
  }

  @Test
  void aRentBuysFromTheProviderWithinTheMarginAndChargesOurPrice() {
    try (FakeProvider fake = new FakeProvider("k-" + NAMES.incrementAndGet())) {
      String number = phone();
      fake.stock(number);
      String service = upstreamService("1.00");
      provider(fake.url(), fake.key, service, "ub", "\"markup_percent\":20,\"markup_fixed\":0.05");
      Customer c = server.customer("3");

      Http.Response r = rent(c, service);
      assertThat(r.status()).as(r.text()).isEqualTo(201);
      assertThat(r.json().get("phone_number").asText()).isEqualTo(number.substring(1));
      assertThat(server.balance(c)).isEqualByComparingTo("2.00");
      FakeProvider.Call call = fake.calls("getNumber").get(0);
      assertThat(call.params()).containsEntry("service", "ub").containsEntry("maxPrice", "0.79");
      // The key travelled in the body, not in the URL.
      assertThat(call.params()).containsEntry("api_key", fake.key);
      long recorded =
          server
              .app
              .database()
              .read(
                  h ->
                      h.createQuery(
                              "SELECT COUNT(*) FROM upstream_rentals WHERE rental_id = :id"
                                  + " AND activation = '1001'")
                          .bind("id", r.json().get("id").asText())
                          .mapTo(Long.class)
                          .one());
      assertThat(recorded).isEqualTo(1);
    }
  }

  @Test
  void eachKindOfFailureFailsOverToTheNextProvider() {
    for (Mode failing :
        new Mode[] {
          Mode.NO_NUMBERS,
          Mode.HTTP_500,
          Mode.GARBAGE,
          Mode.BAD_KEY,
          Mode.NO_BALANCE,
          Mode.ERROR_SQL,
          Mode.DROP,
          Mode.HANG
        }) {
      try (FakeProvider first = new FakeProvider("a-" + NAMES.incrementAndGet()).mode(failing);
          FakeProvider second = new FakeProvider("b-" + NAMES.incrementAndGet())) {
        String number = phone();
        second.stock(number);
        String service = upstreamService("0.50");
        provider(first.url(), first.key, service, "ub", "\"priority\":1");
        provider(second.url(), second.key, service, "ub", "\"priority\":2");
        Customer c = server.customer("1");
        long started = System.nanoTime();
        Http.Response r = rent(c, service);
        assertThat(r.status()).as(failing + ": " + r.text()).isEqualTo(201);
        assertThat(r.json().get("phone_number").asText()).isEqualTo(number.substring(1));
        assertThat(first.calls("getNumber")).as(failing.name()).hasSize(1);
        assertThat(server.balance(c)).isEqualByComparingTo("0.50");
        // A hanging provider costs the read timeout, not the request.
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
      }
    }
  }

  @Test
  void whenEveryProviderFailsTheAnswerIs502AndNothingIsCharged() {
    try (FakeProvider broken =
            new FakeProvider("x-" + NAMES.incrementAndGet()).mode(Mode.HTTP_500);
        FakeProvider refusing =
            new FakeProvider("y-" + NAMES.incrementAndGet()).mode(Mode.BAD_KEY)) {
      String service = upstreamService("0.50");
      provider(broken.url(), broken.key, service, "ub", "\"priority\":1");
      provider(refusing.url(), "wrong-key-123", service, "ub", "\"priority\":2");
      Customer c = server.customer("1");
      Http.Response r = rent(c, service);
      assertThat(r.status()).as(r.text()).isEqualTo(502);
      assertThat(r.json().get("error").asText()).isEqualTo("upstream_error");
      assertThat(r.text()).doesNotContain("wrong-key-123").doesNotContain(broken.key);
      assertThat(server.balance(c)).isEqualByComparingTo("1");
      assertThat(server.http.get("/api/v1/rentals/history", c.key()).json().get("total").asInt())
          .isZero();
    }
  }

  @Test
  void whenEveryProviderHasNoNumbersTheAnswerIs409() {
    try (FakeProvider empty = new FakeProvider("e-" + NAMES.incrementAndGet())) {
      String service = upstreamService("0.50");
      provider(empty.url(), empty.key, service, "ub", "");
      Customer c = server.customer("1");
      Http.Response r = rent(c, service);
      assertThat(r.status()).as(r.text()).isEqualTo(409);
      assertThat(r.json().get("error").asText()).isEqualTo("no_numbers_available");
      // A markup that cannot fit in the price leaves nothing to sell either, and asks nobody.
      String dear = upstreamService("0.10");
      provider(empty.url(), empty.key, dear, "ub", "\"markup_fixed\":0.10");
      assertThat(rent(c, dear).status()).isEqualTo(409);
      assertThat(empty.calls("getNumber")).hasSize(1);
      assertThat(server.balance(c)).isEqualByComparingTo("1");
    }
  }

  @Test
  void aFailingProviderIsSkippedOnceItsBreakerOpensAndTriedAgainLater() {
    try (FakeProvider flaky = new FakeProvider("f-" + NAMES.incrementAndGet()).mode(Mode.HTTP_500);
        FakeProvider steady = new FakeProvider("s-" + NAMES.incrementAndGet())) {
      String service = upstreamService("0.50");
      String flakyName = provider(flaky.url(), flaky.key, service, "ub", "\"priority\":1");
      provider(steady.url(), steady.key, service, "ub", "\"priority\":2");
      Customer c = server.customer("10");
      for (int i = 0; i < 6; i++) {
        steady.stock(phone());
        assertThat(rent(c, service).status()).isEqualTo(201);
      }
      // Three failures in a row opened it: the last three rents did not ask it.
      assertThat(flaky.calls("getNumber")).hasSize(3);
      JsonNode seen = source(flakyName);
      assertThat(seen.get("breaker").asText()).isEqualTo("open");
      assertThat(seen.get("failures").asLong()).isEqualTo(3);
      assertThat(seen.get("error_rate").asDouble()).isEqualTo(1.0);
      flaky.mode(Mode.SELL).stock(phone());
      await("the breaker lets a probe through")
          .atMost(Duration.ofSeconds(10))
          .until(
              () -> {
                steady.stock(phone());
                return rent(c, service).status() == 201 && flaky.calls("getNumber").size() > 3;
              });
    }
  }

  @Test
  void aNumberBoughtButNotRecordedIsCancelledAtTheProvider() {
    try (FakeProvider fake = new FakeProvider("r-" + NAMES.incrementAndGet())) {
      // The provider sells a number this server already has held by a rental of its own.
      String gatewayService = server.service("Local", "0.30", "gateway");
      String local = server.numbers("gateway", 1).get(0);
      Customer holder = server.customer("1");
      assertThat(rent(holder, gatewayService).status()).isEqualTo(201);
      fake.stock("1" + local);
      String service = upstreamService("0.50");
      provider(fake.url(), fake.key, service, "ub", "");
      Customer c = server.customer("1");

      Http.Response r = rent(c, service);
      assertThat(r.status()).as(r.text()).isEqualTo(502);
      assertThat(server.balance(c)).isEqualByComparingTo("1");
      await("the activation is cancelled at the provider")
          .atMost(Duration.ofSeconds(10))
          .until(() -> !fake.calls("setStatus").isEmpty());
      FakeProvider.Call cancel = fake.calls("setStatus").get(0);
      assertThat(cancel.params()).containsEntry("id", "1001").containsEntry("status", "8");
      Invariants.assertHold(server.app.database());
    }
  }

  @Test
  void aProviderNumberSoldAgainIsRefusedWhileHeldAndTakenOnceFree() {
    try (FakeProvider fake = new FakeProvider("a-" + NAMES.incrementAndGet())) {
      String number = phone();
      fake.stock(number, number, number);
      String service = upstreamService("0.50");
      provider(fake.url(), fake.key, service, "ub", "");
      Customer first = server.customer("1");
      Customer second = server.customer("1");

      Http.Response held = rent(first, service);
      assertThat(held.status()).as(held.text()).isEqualTo(201);
      Http.Response refused = rent(second, service);
      assertThat(refused.status()).as(refused.text()).isEqualTo(502);
      assertThat(refused.json().get("error").asText()).isEqualTo("upstream_error");
      assertThat(server.balance(second)).isEqualByComparingTo("1");
      await("the second sale is cancelled at the provider")
          .atMost(Duration.ofSeconds(10))
          .until(() -> !fake.calls("setStatus").isEmpty());
      assertThat(fake.calls("setStatus").get(0).params())
          .containsEntry("id", "1002")
          .containsEntry("status", "8");

      String id = held.json().get("id").asText();
      assertThat(server.http.post("/api/v1/rentals/" + id + "/cancel", first.key(), null).status())
          .isEqualTo(200);
      Http.Response again = rent(second, service);
      assertThat(again.status()).as(again.text()).isEqualTo(201);
      assertThat(again.json().get("phone_number").asText()).isEqualTo(number.substring(1));
      assertThat(server.balance(second)).isEqualByComparingTo("0.50");
      Invariants.assertHold(server.app.database());
    }
  }

  @Test
  void anOutboxCallTheProviderRefusedIsRetriedUntilTaken() {
    try (FakeProvider fake = new FakeProvider("o-" + NAMES.incrementAndGet())) {
      String gatewayService = server.service("Local", "0.30", "gateway");
      String local = server.numbers("gateway", 1).get(0);
      assertThat(rent(server.customer("1"), gatewayService).status()).isEqualTo(201);
      fake.stock("1" + local).setStatusAnswers("ERROR_SQL");
      String service = upstreamService("0.50");
      String name = provider(fake.url(), fake.key, service, "ub", "");
      assertThat(rent(server.customer("1"), service).status()).isEqualTo(502);
      // The refusal is on record before the provider changes its mind.
      await().atMost(Duration.ofSeconds(10)).until(() -> "ERROR_SQL".equals(outboxError(name)));
      fake.setStatusAnswers(null);
      // The retry comes after its back-off, on the server's clock.
      server.clock.advance(Duration.ofMinutes(1));
      await("the retry is taken")
          .atMost(Duration.ofSeconds(10))
          .until(
              () -> {
                server.app.runProviderOutbox();
                return pendingCalls(name) == 0;
              });
      assertThat(fake.calls("setStatus")).hasSize(2);
    }
  }

  @Test
  void aNumberSoldWhoseAnswerWasLostIsFoundAndCancelled() {
    try (FakeProvider fake = new FakeProvider("l-" + NAMES.incrementAndGet())) {
      fake.stock(phone()).mode(Mode.SELL_THEN_HANG);
      String service = upstreamService("0.50");
      provider(fake.url(), fake.key, service, "ub", "");
      Customer c = server.customer("1");
      Http.Response r = rent(c, service);
      assertThat(r.status()).as(r.text()).isEqualTo(502);
      assertThat(fake.openActivations()).containsExactly("1001");
      // Past the wait, the provider's activations are compared with ours; one unknown for as
      // long again is cancelled.
      for (int i = 0; i < 3 && !fake.openActivations().isEmpty(); i++) {
        server.clock.advance(Duration.ofSeconds(31));
        server.app.pollProvidersNow();
        server.app.runProviderOutbox();
      }
      assertThat(fake.openActivations()).isEmpty();
      assertThat(fake.calls("setStatus").get(0).params()).containsEntry("status", "8");
      assertThat(server.balance(c)).isEqualByComparingTo("1");
    }
  }

  @Test
  void aCallTheProviderNeverTakesIsGivenUpAndShownToTheOperator() {
    try (FakeProvider fake = new FakeProvider("g-" + NAMES.incrementAndGet())) {
      fake.stock(phone()).setStatusAnswers("ERROR_SQL");
      String service = upstreamService("0.50");
      String name = provider(fake.url(), fake.key, service, "ub", "");
      Customer c = server.customer("1");
      String rental = rent(c, service).json().get("id").asText();
      assertThat(server.http.post("/api/v1/rentals/" + rental + "/cancel", c.key(), "").status())
          .isEqualTo(200);
      // The customer's refund did not wait; the provider refuses the cancel again and again.
      assertThat(server.balance(c)).isEqualByComparingTo("1");
      await("the call is given up")
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                server.clock.advance(Duration.ofMinutes(11));
                server.app.pollProvidersNow();
                return source(name).get("given_up_calls").asLong() == 1;
              });
      assertThat(source(name).get("pending_calls").asLong()).isZero();
      assertThat(fake.calls("setStatus")).hasSizeGreaterThanOrEqualTo(30);
      assertThat(server.balance(c)).isEqualByComparingTo("1");
    }
  }

  @Test
  void anotherOhmyotpIsARealUpstream() {
    try (TestServer upstream = TestServer.start()) {
      Http.Response svc =
          upstream.admin(
              "POST",
              "/api/admin/services",
              "{\"name\":\"Uber\",\"category\":\"Ride\",\"price\":0.40,\"source\":\"gateway\","
                  + "\"protocol_code\":\"ub\"}");
      assertThat(svc.status()).isEqualTo(201);
      String theirNumber = upstream.numbers("gateway", 1).get(0);
      Customer reseller = upstream.customer("5");

      String service = upstreamService("0.80");
      provider(
          upstream.base + "/stubs/handler_api.php",
          reseller.key(),
          service,
          "ub",
          "\"markup_percent\":50,\"country\":187");
      Customer c = server.customer("2");
      Http.Response r = rent(c, service);
      assertThat(r.status()).as(r.text()).isEqualTo(201);
      assertThat(r.json().get("phone_number").asText()).isEqualTo(theirNumber);
      assertThat(server.balance(c)).isEqualByComparingTo("1.20");
      assertThat(upstream.balance(reseller)).isEqualByComparingTo("4.60");

      // The SMS reaches the upstream's own number; this server learns its code by polling.
      assertThat(upstream.inboundSms(theirNumber, "Uber", "Your Uber code is 271828").status())
          .isEqualTo(202);
      String rental = r.json().get("id").asText();
      await("the code comes through the protocol")
          .atMost(Duration.ofSeconds(10))
          .until(
              () -> {
                server.clock.advance(Duration.ofSeconds(3));
                server.app.pollProvidersNow();
                JsonNode code =
                    server.http.get("/api/v1/rentals/" + rental + "/code", c.key()).json();
                return "271828".equals(code.get("code").asText());
              });
      // Cancelled here after its code: the upstream is told it is finished, and keeps its charge.
      assertThat(server.http.post("/api/v1/rentals/" + rental + "/cancel", c.key(), "").status())
          .isEqualTo(200);
      await("the upstream activation is finished")
          .atMost(Duration.ofSeconds(10))
          .until(
              () -> {
                server.app.pollProvidersNow();
                return upstream
                        .http
                        .get("/api/v1/rentals/active", reseller.key())
                        .json()
                        .get("total")
                        .asInt()
                    == 0;
              });
      assertThat(upstream.balance(reseller)).isEqualByComparingTo("4.60");
      assertThat(server.balance(c)).isEqualByComparingTo("1.20");
    }
  }

  @Test
  void codesComeFromTheProvidersListOfActivations() {
    codesComeFromPollingTheProviderAndAreStoredOnce(true);
  }

  @Test
  void codesComeFromPollingEachRentalOfAProviderWithoutAList() {
    codesComeFromPollingTheProviderAndAreStoredOnce(false);
  }

  @Test
  void aProviderWhosePollsFailIsPolledLessAndLess() {
    try (FakeProvider fake = new FakeProvider("bo-" + NAMES.incrementAndGet())) {
      fake.stock(phone()).withoutActivationList().failingStatus();
      String service = upstreamService("0.50");
      provider(fake.url(), fake.key, service, "ub", "");
      assertThat(rent(server.customer("1"), service).status()).isEqualTo(201);
      for (int i = 0; i < 8; i++) {
        server.clock.advance(Duration.ofSeconds(3));
        server.app.pollProvidersNow();
      }
      // Every 3 s for 24 s would be 8 polls; backing off 2, 4, 8, 16 s leaves fewer.
      assertThat(fake.calls("getStatus").size()).isBetween(2, 5);
    }
  }

  private static void codesComeFromPollingTheProviderAndAreStoredOnce(boolean lists) {
    try (FakeProvider fake = new FakeProvider("c-" + NAMES.incrementAndGet())) {
      fake.stock(phone());
      if (!lists) {
        fake.withoutActivationList();
      }
      String service = upstreamService("0.50");
      provider(fake.url(), fake.key, service, "ub", "");
      Customer c = server.customer("1");
      String rental = rent(c, service).json().get("id").asText();
      fake.code("1001", "482913");
      for (int i = 0; i < 3; i++) {
        server.clock.advance(Duration.ofSeconds(4));
        server.app.pollProvidersNow();
      }
      JsonNode code = server.http.get("/api/v1/rentals/" + rental + "/code", c.key()).json();
      assertThat(code.get("code").asText()).isEqualTo("482913");
      JsonNode full = server.http.get("/api/v1/rentals/" + rental, c.key()).json();
      assertThat(full.get("status").asText()).isEqualTo("completed");
      assertThat(full.get("sms_messages")).hasSize(1);
      if (lists) {
        assertThat(full.get("sms_messages").get(0).get("message").asText())
            .isEqualTo("Your code is 482913");
        assertThat(fake.calls("getStatus")).isEmpty();
      } else {
        assertThat(fake.calls("getStatus").size()).isGreaterThanOrEqualTo(3);
      }

      // The window closes with the code: the provider is told the activation is done (6).
      server.clock.advance(Duration.ofMinutes(11));
      server.app.pollProvidersNow();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () -> {
                server.app.runProviderOutbox();
                return fake.calls("setStatus").size() == 1;
              });
      assertThat(fake.calls("setStatus").get(0).params())
          .containsEntry("id", "1001")
          .containsEntry("status", "6");
      assertThat(server.balance(c)).isEqualByComparingTo("0.50");
    }
  }

  @Test
  void aCancelRefundsAtOnceAndThenCancelsAtTheProvider() {
    try (FakeProvider fake = new FakeProvider("d-" + NAMES.incrementAndGet())) {
      fake.stock(phone(), phone());
      String service = upstreamService("0.50");
      provider(fake.url(), fake.key, service, "ub", "");
      Customer c = server.customer("1");
      String rental = rent(c, service).json().get("id").asText();
      Http.Response cancel = server.http.post("/api/v1/rentals/" + rental + "/cancel", c.key(), "");
      assertThat(cancel.status()).as(cancel.text()).isEqualTo(200);
      assertThat(server.balance(c)).isEqualByComparingTo("1");
      server.app.pollProvidersNow();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () -> {
                server.app.runProviderOutbox();
                return fake.calls("setStatus").size() == 1;
              });
      assertThat(fake.calls("setStatus").get(0).params()).containsEntry("status", "8");

      // One left to expire without a code: cancelled at the provider too, and refunded here.
      rent(c, service);
      server.clock.advance(Duration.ofMinutes(11));
      server.app.sweepNow();
      server.app.pollProvidersNow();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () -> {
                server.app.runProviderOutbox();
                return fake.calls("setStatus").size() == 2;
              });
      assertThat(fake.calls("setStatus").get(1).params())
          .containsEntry("id", "1002")
          .containsEntry("status", "8");
      assertThat(server.balance(c)).isEqualByComparingTo("1");
      Invariants.assertHold(server.app.database());
    }
  }

  @Test
  void pricesAndCountsFollowTheProvidersAndADeadOneSlowsNoListing() throws Exception {
    try (FakeProvider dear = new FakeProvider("p-" + NAMES.incrementAndGet());
        FakeProvider cheap = new FakeProvider("q-" + NAMES.incrementAndGet());
        FakeProvider dead = new FakeProvider("z-" + NAMES.incrementAndGet()).mode(Mode.HANG)) {
      dear.price(187, "ub", "0.50", 42).price(16, "ub", "0.70", 3).price(187, "wa", "9", 9);
      String service = upstreamService("2.00");
      provider(dear.url(), dear.key, service, "ub", "\"markup_percent\":20,\"markup_fixed\":0.05");
      provider(dead.url(), dead.key, service, "ub", "");
      server.app.refreshUpstreamStock();
      Customer c = server.customer("5");
      JsonNode listed = serviceListed(c, service);
      // 0.50 + 20% + 0.05, the cheaper of the two countries; 42 + 3 numbers.
      assertThat(listed.get("price").decimalValue()).isEqualByComparingTo("0.65");
      assertThat(listed.get("available").asLong()).isEqualTo(45);

      cheap.price(187, "ub", "0.30", 8);
      provider(cheap.url(), cheap.key, service, "ub", "");
      // A listing while the dead provider holds the refresh up is answered as before.
      Thread refresh = Thread.ofVirtual().start(() -> server.app.refreshUpstreamStock());
      assertThat(serviceListed(c, service).get("available").asLong()).isEqualTo(45);
      refresh.join();
      JsonNode after = serviceListed(c, service);
      assertThat(after.get("price").decimalValue()).isEqualByComparingTo("0.30");
      assertThat(after.get("available").asLong()).isEqualTo(53);

      cheap.stock(phone());
      Http.Response r = rent(c, service);
      assertThat(r.status()).as(r.text()).isEqualTo(201);
      assertThat(server.balance(c)).isEqualByComparingTo("4.70");

      // In the United Kingdom only the dear provider has numbers: 0.70 + 20% + 0.05.
      JsonNode uk = server.http.get("/api/v1/services?country=GB", c.key()).json();
      JsonNode listedUk =
          java.util.stream.StreamSupport.stream(uk.get("services").spliterator(), false)
              .filter(n -> n.get("name").asText().equals(service))
              .findFirst()
              .orElseThrow();
      assertThat(listedUk.get("price").decimalValue()).isEqualByComparingTo("0.89");
      assertThat(listedUk.get("available").asLong()).isEqualTo(3);
      dear.stock("442071838799");
      Http.Response british =
          server.http.post(
              "/api/v1/rentals",
              c.key(),
              "{\"service_id\":" + TestServer.quote(service) + ",\"country\":\"GB\"}");
      assertThat(british.status()).as(british.text()).isEqualTo(201);
      assertThat(british.json().get("cost").decimalValue()).isEqualByComparingTo("0.89");
      assertThat(server.balance(c)).isEqualByComparingTo("3.81");
      assertThat(dear.calls("getNumber").get(dear.calls("getNumber").size() - 1).params())
          .containsEntry("country", "16")
          .containsEntry("maxPrice", "0.70");
    }
  }

  private static long pendingCalls(String provider) {
    return server
        .app
        .database()
        .read(
            h ->
                h.createQuery(
                        "SELECT COUNT(*) FROM provider_outbox o JOIN providers p"
                            + " ON p.id = o.provider_id WHERE p.name = :name AND o.done_at IS NULL")
                    .bind("name", provider)
                    .mapTo(Long.class)
                    .one());
  }

  private static String outboxError(String provider) {
    return server
        .app
        .database()
        .read(
            h ->
                h.createQuery(
                        "SELECT o.last_error FROM provider_outbox o JOIN providers p"
                            + " ON p.id = o.provider_id WHERE p.name = :name")
                    .bind("name", provider)
                    .mapTo(String.class)
                    .findFirst()
                    .orElse(null));
  }

  /** A provider as {@code /api/admin/sources} shows it. */
  private static JsonNode source(String name) {
    for (JsonNode s : server.admin("GET", "/api/admin/sources", null).json().get("sources")) {
      if (s.get("name").asText().equals(name)) {
        return s;
      }
    }
    throw new AssertionError("no source " + name);
  }

  @Test
  void theOperatorSeesEachProvidersHealthAndBalanceInSourcesAndMetrics() {
    try (FakeProvider fake = new FakeProvider("h-" + NAMES.incrementAndGet())) {
      fake.stock(phone());
      String service = upstreamService("0.50");
      String name = provider(fake.url(), fake.key, service, "ub", "");
      assertThat(rent(server.customer("1"), service).status()).isEqualTo(201);
      server.app.refreshUpstreamStock();
      JsonNode seen = source(name);
      assertThat(seen.get("kind").asText()).isEqualTo("upstream");
      assertThat(seen.get("breaker").asText()).isEqualTo("closed");
      assertThat(seen.get("balance").decimalValue()).isEqualByComparingTo("123.45");
      assertThat(seen.get("calls").asLong()).isGreaterThanOrEqualTo(3);
      assertThat(seen.get("failures").asLong()).isZero();
      assertThat(seen.get("last_success_at").asLong()).isEqualTo(server.clock.epochSecond());
      assertThat(seen.get("latency_p99_ms").asDouble()).isPositive();
      assertThat(seen.toString()).doesNotContain(fake.key);
      String metrics = server.http.get("/metrics", null).text();
      assertThat(metrics)
          .contains("ohmyotp_provider_balance{provider=\"" + name + "\"} 123.45")
          .contains("ohmyotp_provider_calls_seconds_count{provider=\"" + name + "\"}");
    }
  }

  private static JsonNode serviceListed(Customer c, String service) {
    Http.Response r = server.http.get("/api/v1/services/" + service, c.key());
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    return r.json();
  }

  @Test
  void providersCanBeAskedCheapestFirst() {
    try (TestServer small = TestServer.start(Map.of("OHMYOTP_PROVIDER_ORDER", "cheapest"));
        FakeProvider dear = new FakeProvider("dd-" + NAMES.incrementAndGet());
        FakeProvider cheap = new FakeProvider("cc-" + NAMES.incrementAndGet())) {
      dear.price(187, "ub", "0.40", 5).stock(phone());
      cheap.price(187, "ub", "0.20", 5).stock(phone());
      small.admin(
          "POST",
          "/api/admin/services",
          "{\"name\":\"Resold\",\"category\":\"T\",\"price\":1,\"source\":\"upstream\"}");
      for (FakeProvider f : List.of(dear, cheap)) {
        Http.Response r =
            small.admin(
                "POST",
                "/api/admin/providers",
                "{\"name\":\""
                    + f.key
                    + "\",\"url\":\""
                    + f.url()
                    + "\",\"api_key\":\""
                    + f.key
                    + "\",\"services\":{\"Resold\":\"ub\"},\"priority\":"
                    + (f == dear ? 1 : 2)
                    + "}");
        assertThat(r.status()).as(r.text()).isEqualTo(201);
      }
      small.app.refreshUpstreamStock();
      Customer c = small.customer("1");
      Http.Response r = small.http.post("/api/v1/rentals", c.key(), "{\"service_id\":\"Resold\"}");
      assertThat(r.status()).as(r.text()).isEqualTo(201);
      assertThat(cheap.calls("getNumber")).hasSize(1);
      assertThat(dear.calls("getNumber")).isEmpty();
      assertThat(small.balance(c)).isEqualByComparingTo("0.80");
    }
  }

  @Test
  void providersComeFromAFileAtStartWhereTheyCan() throws Exception {
    java.nio.file.Path file = java.nio.file.Files.createTempFile("providers-", ".json");
    try {
      java.nio.file.Files.writeString(
          file,
          """
          [{"name": "filed", "url": "https://filed.example/stubs/handler_api.php",
            "api_key": "file-key-123", "markup_percent": 15, "priority": 3},
           {"name": "broken", "url": "https://b.example/", "api_key": "k",
            "services": {"NoSuchService": "ub"}}]
          """);
      try (TestServer small = TestServer.start(Map.of("OHMYOTP_PROVIDERS_FILE", file.toString()))) {
        JsonNode listed = small.admin("GET", "/api/admin/providers", null).json();
        assertThat(listed.get("providers")).hasSize(1);
        JsonNode filed = listed.get("providers").get(0);
        assertThat(filed.get("name").asText()).isEqualTo("filed");
        assertThat(filed.get("markup_percent").decimalValue()).isEqualByComparingTo("15");
        assertThat(filed.get("priority").asInt()).isEqualTo(3);
        assertThat(listed.toString()).doesNotContain("file-key-123");
      }
      java.nio.file.Files.writeString(file, "[{\"name\": \"x\", \"api_key\": \"leak-me\"");
      Map<String, String> bad = Map.of("OHMYOTP_PROVIDERS_FILE", file.toString());
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> TestServer.start(bad).close())
          .hasMessageContaining("is not a JSON list of providers")
          .hasMessageNotContaining("leak-me");
    } finally {
      java.nio.file.Files.deleteIfExists(file);
    }
  }

  @Test
  void providersAreManagedWithoutEverShowingTheirKeys() {
    String service = upstreamService("0.50");
    String secret = "very-secret-provider-key-" + NAMES.incrementAndGet();
    String name =
        provider("https://provider.example/stubs/handler_api.php", secret, service, "ub", "");
    JsonNode listed = server.admin("GET", "/api/admin/providers", null).json();
    assertThat(listed.toString()).doesNotContain(secret).contains(name);
    Http.Response changed =
        server.admin(
            "PATCH",
            "/api/admin/providers/" + name,
            "{\"markup_percent\":12.5,\"api_key\":\"another-key-000\",\"priority\":7}");
    assertThat(changed.status()).as(changed.text()).isEqualTo(200);
    assertThat(changed.json().get("markup_percent").decimalValue()).isEqualByComparingTo("12.5");
    assertThat(changed.json().get("priority").asInt()).isEqualTo(7);
    assertThat(changed.text()).doesNotContain("another-key-000");
    String sealed =
        server
            .app
            .database()
            .read(
                h ->
                    h.createQuery("SELECT api_key_sealed FROM providers WHERE name = :n")
                        .bind("n", name)
                        .mapTo(String.class)
                        .one());
    assertThat(sealed).startsWith("v1:").doesNotContain("another-key-000");

    Http.Response dup =
        server.admin(
            "POST",
            "/api/admin/providers",
            "{\"name\":\"" + name + "\",\"url\":\"https://x.example/\",\"api_key\":\"k\"}");
    assertThat(dup.status()).isEqualTo(409);
    for (String bad :
        new String[] {
          "{\"name\":\"n1\",\"url\":\"ftp://x\",\"api_key\":\"k\"}",
          "{\"name\":\"n2\",\"url\":\"https://u:p@x.example/\",\"api_key\":\"k\"}",
          "{\"name\":\"n3\",\"url\":\"https://x.example/\"}",
          "{\"name\":\"n4\",\"url\":\"https://x.example/\",\"api_key\":\"k\",\"markup_percent\":-1}",
          "{\"name\":\"n5\",\"url\":\"https://x.example/\",\"api_key\":\"k\",\"services\":{\"NoSuch\":\"ub\"}}",
          "{\"name\":\"\",\"url\":\"https://x.example/\",\"api_key\":\"k\"}"
        }) {
      Http.Response r = server.admin("POST", "/api/admin/providers", bad);
      assertThat(r.status()).as(bad + " -> " + r.text()).isEqualTo(400);
    }
    assertThat(server.admin("DELETE", "/api/admin/providers/" + name, null).status())
        .isEqualTo(204);
    assertThat(server.admin("GET", "/api/admin/providers/" + name, null).status()).isEqualTo(404);
  }
}
