package com.ohmyotp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.ohmyotp.support.Driver.Customer;
import com.ohmyotp.support.Http;
import com.ohmyotp.support.TestServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The lifecycle of DESIGN.md, with time moved by the test instead of waited for. */
class RentalLifecycleTest {

  static TestServer server;
  static String service;

  @BeforeAll
  static void start() {
    server = TestServer.start();
    service = server.service("Lyft", "0.35", "gateway");
    server.numbers("gateway", 30);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private long refunds(String rentalId) {
    return server
        .app
        .database()
        .read(
            h ->
                h.createQuery(
                        "SELECT COUNT(*) FROM transactions WHERE rental_id = :id AND type = 'refund'")
                    .bind("id", rentalId)
                    .mapTo(Long.class)
                    .one());
  }

  @Test
  void historyShowsARentalPastItsWindowExpiredAndRefundedBeforeTheSweep() {
    try (TestServer small = TestServer.start()) {
      String svc = small.service("Line", "0.35", "gateway");
      small.numbers("gateway", 2);
      Customer c = small.customer("1");
      String overdue = small.rent(c, svc).get("id").asText();
      small.clock.advance(Duration.ofSeconds(300));
      String current = small.rent(c, svc).get("id").asText();
      small.clock.advance(Duration.ofSeconds(300));

      JsonNode rentals = small.http.get("/api/v1/rentals/history", c.key()).json().get("rentals");
      assertThat(rentals.get(0).get("id").asText()).isEqualTo(current);
      assertThat(rentals.get(0).get("status").asText()).isEqualTo("active");
      assertThat(rentals.get(1).get("id").asText()).isEqualTo(overdue);
      assertThat(rentals.get(1).get("status").asText()).isEqualTo("expired");
      assertThat(
              small
                  .http
                  .get("/api/v1/rentals/history?status=expired", c.key())
                  .json()
                  .get("total")
                  .asInt())
          .isEqualTo(1);
      assertThat(small.app.sweepNow()).isZero();
      assertThat(small.balance(c)).isEqualByComparingTo("0.65");
    }
  }

  @Test
  void rerentCheckSettlesAnOverdueRentalBeforeJudgingTheBalance() {
    try (TestServer small = TestServer.start()) {
      String svc = small.service("Line", "0.35", "gateway");
      small.numbers("gateway", 1);
      Customer c = small.customer("0.35");
      String phone = small.rent(c, svc).get("phone_number").asText();
      small.clock.advance(Duration.ofSeconds(600));

      // The refund of the rental that ran out pays for renting its number again.
      JsonNode check =
          small
              .http
              .post(
                  "/api/v1/rentals/rerent/check",
                  c.key(),
                  "{\"service_id\":\"" + svc + "\",\"phone_numbers\":[\"" + phone + "\"]}")
              .json();
      assertThat(check.get("balance").toString()).isEqualTo("0.35");
      assertThat(check.get("results").get(0).get("reason").asText()).isEqualTo("ok");
      assertThat(check.get("eligible_count").asInt()).isEqualTo(1);
      assertThat(small.app.sweepNow()).isZero();
    }
  }

  @Test
  void rerentCheckAnswersWithTheNumbersAsSentAndCountsEachNumberOnce() {
    try (TestServer small = TestServer.start()) {
      String svc = small.service("Line", "0.35", "gateway");
      small.numbers("gateway", 1);
      Customer c = small.customer("1");
      String id = small.rent(c, svc).get("id").asText();
      String phone =
          small.http.get("/api/v1/rentals/" + id, c.key()).json().get("phone_number").asText();
      small.http.post("/api/v1/rentals/" + id + "/cancel", c.key(), null);
      String international = "+1 " + phone;

      JsonNode check =
          small
              .http
              .post(
                  "/api/v1/rentals/rerent/check",
                  c.key(),
                  "{\"service_id\":\""
                      + svc
                      + "\",\"phone_numbers\":[\""
                      + phone
                      + "\",\""
                      + international
                      + "\",\"12\"]}")
              .json();
      JsonNode results = check.get("results");
      assertThat(results).hasSize(3);
      assertThat(results.get(0).get("phone_number").asText()).isEqualTo(phone);
      assertThat(results.get(1).get("phone_number").asText()).isEqualTo(international);
      assertThat(results.get(2).get("phone_number").asText()).isEqualTo("12");
      assertThat(results.get(0).get("reason").asText()).isEqualTo("ok");
      assertThat(results.get(1).get("reason").asText()).isEqualTo("ok");
      assertThat(results.get(2).get("reason").asText()).isEqualTo("invalid_phone_number");
      assertThat(check.get("eligible_count").asInt()).isEqualTo(1);
    }
  }

  @Test
  void activeRentalsArePagedLikeHistory() {
    try (TestServer small = TestServer.start()) {
      String svc = small.service("Line", "0.35", "gateway");
      small.numbers("gateway", 3);
      Customer c = small.customer("5");
      List<String> newestFirst = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        newestFirst.add(0, small.rent(c, svc).get("id").asText());
        small.clock.advance(Duration.ofSeconds(1));
      }
      JsonNode all = small.http.get("/api/v1/rentals/active", c.key()).json();
      assertThat(all.get("total").asInt()).isEqualTo(3);
      assertThat(all.get("page").asInt()).isEqualTo(1);
      assertThat(all.get("limit").asInt()).isEqualTo(50);
      assertThat(ids(all)).containsExactlyElementsOf(newestFirst);
      JsonNode second = small.http.get("/api/v1/rentals/active?limit=2&page=2", c.key()).json();
      assertThat(second.get("total").asInt()).isEqualTo(3);
      assertThat(second.get("limit").asInt()).isEqualTo(2);
      assertThat(ids(second)).containsExactly(newestFirst.get(2));
      assertThat(small.http.get("/api/v1/rentals/active?page=9", c.key()).json().get("rentals"))
          .isEmpty();
      assertThat(small.http.get("/api/v1/rentals/active?page=0", c.key()).status()).isEqualTo(400);
    }
  }

  @Test
  void expiryRefundsOnceWhenReadBeforeTheSweep() {
    Customer c = server.customer("1");
    JsonNode rental = server.rent(c, service);
    String id = rental.get("id").asText();
    server.clock.advance(Duration.ofSeconds(600));

    JsonNode shown = server.http.get("/api/v1/rentals/" + id, c.key()).json();
    assertThat(shown.get("status").asText()).isEqualTo("expired");
    assertThat(shown.get("refund_amount").toString()).isEqualTo("0.35");
    assertThat(server.balance(c)).isEqualByComparingTo("1");

    assertThat(server.app.sweepNow()).isZero();
    server.http.get("/api/v1/rentals/" + id + "/code", c.key());
    assertThat(refunds(id)).isEqualTo(1);
    assertThat(server.balance(c)).isEqualByComparingTo("1");
    Http.Response cancel = server.http.post("/api/v1/rentals/" + id + "/cancel", c.key(), null);
    assertThat(cancel.status()).isEqualTo(409);
    assertThat(server.balance(c)).isEqualByComparingTo("1");
  }

  @Test
  void theSweepRefundsRentalsNobodyLooksAt() {
    Customer c = server.customer("1");
    String id = server.rent(c, service).get("id").asText();
    server.clock.advance(Duration.ofSeconds(599));
    server.app.sweepNow();
    assertThat(refunds(id)).isZero();
    server.clock.advance(Duration.ofSeconds(1));
    assertThat(server.app.sweepNow()).isGreaterThanOrEqualTo(1);
    assertThat(refunds(id)).isEqualTo(1);
    assertThat(server.app.sweepNow()).isZero();
    assertThat(refunds(id)).isEqualTo(1);
    assertThat(server.balance(c)).isEqualByComparingTo("1");
  }

  @Test
  void anSmsAfterExpiryIsUnmatchedAndShownToNobody() {
    Customer c = server.customer("1");
    JsonNode rental = server.rent(c, service);
    String id = rental.get("id").asText();
    server.clock.advance(Duration.ofSeconds(601));

    Http.Response inbound =
        server.inboundSms(rental.get("phone_number").asText(), "Lyft", "Your Lyft code is 4455");
    assertThat(inbound.status()).isEqualTo(202);
    assertThat(inbound.json().get("rental_id").isNull()).isTrue();

    JsonNode code = server.http.get("/api/v1/rentals/" + id + "/code", c.key()).json();
    assertThat(code.get("code").isNull()).isTrue();
    assertThat(code.get("status").asText()).isEqualTo("expired");
    JsonNode unmatched =
        server.admin("GET", "/api/admin/sms/unmatched", null).json().get("messages");
    assertThat(unmatched.toString()).contains("Your Lyft code is 4455");
  }

  @Test
  void cancelBeforeAnSmsRefundsInFull() {
    Customer c = server.customer("1");
    String id = server.rent(c, service).get("id").asText();
    server.clock.advance(Duration.ofSeconds(30));
    JsonNode cancel = server.http.post("/api/v1/rentals/" + id + "/cancel", c.key(), null).json();
    assertThat(cancel.get("refund_amount").toString()).isEqualTo("0.35");
    assertThat(cancel.get("cancelled_at").asLong()).isEqualTo(server.clock.epochSecond());
    assertThat(server.balance(c)).isEqualByComparingTo("1");
    assertThat(server.http.post("/api/v1/rentals/" + id + "/cancel", c.key(), null).status())
        .isEqualTo(409);
    assertThat(refunds(id)).isEqualTo(1);
  }

  @Test
  void cancelAfterAnSmsRefundsNothingAndLaterSmsAreUnmatched() {
    Customer c = server.customer("1");
    JsonNode rental = server.rent(c, service);
    String id = rental.get("id").asText();
    String phone = rental.get("phone_number").asText();
    server.inboundSms(phone, "Lyft", "Your Lyft code is 1111");
    server.clock.advance(Duration.ofSeconds(10));
    server.inboundSms(phone, "Lyft", "Your Lyft code is 2222");
    assertThat(
            server.http.get("/api/v1/rentals/" + id + "/code", c.key()).json().get("code").asText())
        .isEqualTo("2222");

    JsonNode cancel = server.http.post("/api/v1/rentals/" + id + "/cancel", c.key(), null).json();
    assertThat(cancel.get("refund_amount").toString()).isEqualTo("0");
    assertThat(server.balance(c)).isEqualByComparingTo("0.65");
    Http.Response late = server.inboundSms(phone, "Lyft", "Your Lyft code is 3333");
    assertThat(late.json().get("rental_id").isNull()).isTrue();
    assertThat(server.http.get("/api/v1/rentals/" + id, c.key()).json().get("sms_messages"))
        .hasSize(2);
  }

  @Test
  void aCompletedRentalKeepsItsNumberUntilTheWindowCloses() {
    Customer c = server.customer("1");
    JsonNode rental = server.rent(c, service);
    server.inboundSms(rental.get("phone_number").asText(), "Lyft", "code 9876");
    server.clock.advance(Duration.ofSeconds(599));
    assertThat(server.http.get("/api/v1/rentals/active", c.key()).json().get("total").asInt())
        .isEqualTo(1);
    server.clock.advance(Duration.ofSeconds(1));
    assertThat(server.http.get("/api/v1/rentals/active", c.key()).json().get("total").asInt())
        .isZero();
    JsonNode history = server.http.get("/api/v1/rentals/history?status=completed", c.key()).json();
    assertThat(history.get("rentals").get(0).get("status").asText()).isEqualTo("completed");
    assertThat(history.get("rentals").get(0).get("rentable_reason").asText()).isEqualTo("ok");
    assertThat(
            server
                .http
                .post("/api/v1/rentals/" + rental.get("id").asText() + "/cancel", c.key(), null)
                .status())
        .isEqualTo(409);
    assertThat(server.balance(c)).isEqualByComparingTo("0.65");
  }

  @Test
  void aFreshRentalNeverGetsANumberUsedBeforeForTheSameService() {
    try (TestServer small = TestServer.start()) {
      String svc = small.service("Tinder", "0.75", "gateway");
      small.numbers("gateway", 1);
      Customer c = small.customer("5");
      String id = small.rent(c, svc).get("id").asText();
      small.http.post("/api/v1/rentals/" + id + "/cancel", c.key(), null);
      Http.Response again =
          small.http.post("/api/v1/rentals", c.key(), "{\"service_id\":\"" + svc + "\"}");
      assertThat(again.status()).isEqualTo(409);
      assertThat(again.json().get("error").asText()).isEqualTo("no_numbers_available");
      String other = small.service("Discord", "0.25", "gateway");
      assertThat(
              small
                  .http
                  .post("/api/v1/rentals", c.key(), "{\"service_id\":\"" + other + "\"}")
                  .status())
          .isEqualTo(201);
      assertThat(small.balance(c)).isEqualByComparingTo("4.75");
    }
  }

  @Test
  void historyJudgesEachRentalAgainstItsOwnServiceWhenOnePageHoldsSeveral() {
    try (TestServer small = TestServer.start()) {
      String tinder = small.service("Tinder", "0.75", "gateway");
      String discord = small.service("Discord", "0.25", "gateway");
      small.numbers("gateway", 1);
      Customer c = small.customer("5");
      String first = small.rent(c, tinder).get("id").asText();
      small.http.post("/api/v1/rentals/" + first + "/cancel", c.key(), null);
      small.clock.advance(Duration.ofSeconds(1));
      String second = small.rent(c, discord).get("id").asText();
      small.http.post("/api/v1/rentals/" + second + "/cancel", c.key(), null);
      // The same number, rented for both services; then the operator disables one of them.
      assertThat(
              small
                  .admin("PATCH", "/api/admin/services/" + discord, "{\"enabled\":false}")
                  .status())
          .isEqualTo(200);

      JsonNode rentals = small.http.get("/api/v1/rentals/history", c.key()).json().get("rentals");
      assertThat(rentals).hasSize(2);
      assertThat(rentals.get(0).get("id").asText()).isEqualTo(second);
      assertThat(rentals.get(0).get("rentable_reason").asText())
          .isEqualTo("phone_not_in_inventory");
      assertThat(rentals.get(1).get("id").asText()).isEqualTo(first);
      assertThat(rentals.get(1).get("rentable").asBoolean()).isTrue();
      assertThat(rentals.get(1).get("rentable_reason").asText()).isEqualTo("ok");
    }
  }

  @Test
  void historyJudgesEachNumberAndServiceAsTheyAreNow() {
    try (TestServer small = TestServer.start()) {
      String svc = small.service("Signal", "0.50", "gateway");
      Customer c = small.customer("1.50");
      // One number at a time, so that each rental gets the one just imported.
      long lastsUntil = small.clock.epochSecond() + 900;
      List<String> ids = new ArrayList<>();
      for (String number :
          List.of(
              "\"2129550101\"", "\"2129550102\",\"expires_at\":" + lastsUntil, "\"2129550103\"")) {
        assertThat(
                small
                    .admin(
                        "POST",
                        "/api/admin/numbers",
                        "{\"source\":\"gateway\",\"numbers\":[{\"phone_number\":" + number + "}]}")
                    .status())
            .isEqualTo(201);
        String id = small.rent(c, svc).get("id").asText();
        assertThat(small.http.post("/api/v1/rentals/" + id + "/cancel", c.key(), null).status())
            .isEqualTo(200);
        ids.add(id);
        small.clock.advance(Duration.ofSeconds(1));
      }
      assertThat(small.admin("DELETE", "/api/admin/numbers/2129550101", null).status())
          .isEqualTo(204);
      // The second number leaves inventory in less than a window from now.
      small.clock.advance(Duration.ofSeconds(300));

      assertThat(reasonsById(small, c))
          .containsExactlyInAnyOrderEntriesOf(
              Map.of(
                  ids.get(0),
                  "phone_not_in_inventory",
                  ids.get(1),
                  "phone_expired",
                  ids.get(2),
                  "ok"));
      assertThat(small.admin("PATCH", "/api/admin/services/" + svc, "{\"price\":1.51}").status())
          .isEqualTo(200);
      assertThat(reasonsById(small, c)).containsEntry(ids.get(2), "insufficient_balance");
      Http.Response refused =
          small.http.post(
              "/api/v1/rentals/rerent?idempotency_key=judged-now-1",
              c.key(),
              "{\"service_id\":\"" + svc + "\",\"phone_number\":\"2129550103\"}");
      assertThat(refused.json().get("error").asText())
          .as(refused.text())
          .isEqualTo("insufficient_balance");
    }
  }

  private static Map<String, String> reasonsById(TestServer server, Customer c) {
    Map<String, String> reasons = new HashMap<>();
    server
        .http
        .get("/api/v1/rentals/history", c.key())
        .json()
        .get("rentals")
        .forEach(r -> reasons.put(r.get("id").asText(), r.get("rentable_reason").asText()));
    return reasons;
  }

  @Test
  void historyTotalsMatchEveryFilter() {
    try (TestServer small = TestServer.start()) {
      String svc = small.service("Signal", "0.50", "gateway");
      small.numbers("gateway", 5);
      Customer c = small.customer("10");
      JsonNode expiring = small.rent(c, svc);
      JsonNode cancelledUnused = small.rent(c, svc);
      small.http.post(
          "/api/v1/rentals/" + cancelledUnused.get("id").asText() + "/cancel", c.key(), null);
      JsonNode completed = small.rent(c, svc);
      small.inboundSms(completed.get("phone_number").asText(), "Signal", "Signal code 123456");
      JsonNode cancelledUsed = small.rent(c, svc);
      small.inboundSms(cancelledUsed.get("phone_number").asText(), "Signal", "Signal code 654321");
      small.http.post(
          "/api/v1/rentals/" + cancelledUsed.get("id").asText() + "/cancel", c.key(), null);
      small.clock.advance(Duration.ofSeconds(601));
      small.rent(c, svc);
      assertThat(expiring.get("id").asText()).isNotEmpty();

      java.util.Map<String, Integer> expected = new java.util.LinkedHashMap<>();
      expected.put("", 5);
      expected.put("?used=true", 2);
      expected.put("?status=active", 1);
      expected.put("?status=expired", 1);
      expected.put("?status=completed", 1);
      expected.put("?status=completed&used=true", 1);
      expected.put("?status=cancelled", 2);
      expected.put("?status=cancelled&used=true", 1);
      expected.put("?status=expired&used=true", 0);
      expected.forEach(
          (query, count) -> {
            JsonNode page = small.http.get("/api/v1/rentals/history" + query, c.key()).json();
            assertThat(page.get("total").asInt()).as(query).isEqualTo(count);
            assertThat(page.get("rentals")).as(query).hasSize(count);
          });
      assertThat(small.app.database().read(com.ohmyotp.support.Invariants::violations)).isEmpty();
    }
  }

  @Test
  void historyPagesReadOneAfterAnotherAgreeWithTheWholeListAndShiftWhenARentalArrives() {
    try (TestServer small = TestServer.start()) {
      String svc = small.service("Viber", "0.10", "gateway");
      small.numbers("gateway", 30);
      Customer c = small.customer("10");
      for (int i = 0; i < 23; i++) {
        small.rent(c, svc);
        small.clock.advance(Duration.ofSeconds(i % 3 == 0 ? 1 : 0)); // some share a second
      }
      List<String> all = ids(small.http.get("/api/v1/rentals/history?limit=100", c.key()).json());
      assertThat(all).hasSize(23).doesNotHaveDuplicates();

      // Page after page, twice: the second crawl starts each page where the first found it.
      for (int crawl = 0; crawl < 2; crawl++) {
        List<String> crawled = new ArrayList<>();
        for (int page = 1; page <= 5; page++) {
          crawled.addAll(
              ids(small.http.get("/api/v1/rentals/history?limit=5&page=" + page, c.key()).json()));
        }
        assertThat(crawled).as("crawl " + crawl).isEqualTo(all);
      }
      // Past the last page: no rentals, and still the total; the last page is the partial one.
      JsonNode past = small.http.get("/api/v1/rentals/history?limit=5&page=6", c.key()).json();
      assertThat(past.get("rentals")).isEmpty();
      assertThat(past.get("total").asInt()).isEqualTo(23);
      assertThat(ids(small.http.get("/api/v1/rentals/history?limit=23&page=1", c.key()).json()))
          .isEqualTo(all);
      assertThat(
              small
                  .http
                  .get("/api/v1/rentals/history?limit=23&page=2", c.key())
                  .json()
                  .get("rentals"))
          .isEmpty();
      assertThat(ids(small.http.get("/api/v1/rentals/history?limit=22&page=2", c.key()).json()))
          .containsExactly(all.getLast());
      List<String> pageThree =
          ids(small.http.get("/api/v1/rentals/history?limit=5&page=3", c.key()).json());
      assertThat(pageThree).isEqualTo(all.subList(10, 15));

      // A new rental goes first and moves every later page back by one.
      small.clock.advance(Duration.ofSeconds(1));
      String newest = small.rent(c, svc).get("id").asText();
      assertThat(
              ids(small.http.get("/api/v1/rentals/history?limit=5&page=1", c.key()).json())
                  .getFirst())
          .isEqualTo(newest);
      assertThat(ids(small.http.get("/api/v1/rentals/history?limit=5&page=3", c.key()).json()))
          .isEqualTo(all.subList(9, 14));

      // A cancellation leaves the unfiltered pages alone but moves the active ones.
      List<String> activeBefore =
          ids(
              small
                  .http
                  .get("/api/v1/rentals/history?status=active&limit=5&page=2", c.key())
                  .json());
      small.http.post("/api/v1/rentals/" + all.get(2) + "/cancel", c.key(), null);
      List<String> activeAfter =
          ids(
              small
                  .http
                  .get("/api/v1/rentals/history?status=active&limit=5&page=2", c.key())
                  .json());
      assertThat(activeAfter.getFirst()).isEqualTo(activeBefore.get(1));
      assertThat(
              small
                  .http
                  .get("/api/v1/rentals/history?status=active&limit=5&page=5", c.key())
                  .json()
                  .get("rentals"))
          .hasSize(3);
    }
  }

  private static List<String> ids(JsonNode page) {
    List<String> ids = new ArrayList<>();
    page.get("rentals").forEach(r -> ids.add(r.get("id").asText()));
    return ids;
  }
}
