package com.ohmyotp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.ohmyotp.support.Driver.Customer;
import com.ohmyotp.support.Http;
import com.ohmyotp.support.Invariants;
import com.ohmyotp.support.TestServer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Prepaid vouchers: issued by the operator, redeemed once into a deposit, guessing throttled. */
class VouchersTest {

  static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.start();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static List<String> issue(String amount, int count) {
    Http.Response r =
        server.admin(
            "POST", "/api/admin/vouchers", "{\"amount\":" + amount + ",\"count\":" + count + "}");
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    List<String> codes = new ArrayList<>();
    r.json().get("codes").forEach(c -> codes.add(c.asText()));
    return codes;
  }

  static Http.Response redeem(Customer c, String code) {
    return server.http.post(
        "/api/v1/balance/redeem", c.key(), "{\"code\":" + TestServer.quote(code) + "}");
  }

  @Test
  void aVoucherIsADepositOnceAndSaysSo() {
    List<String> codes = issue("10.25", 3);
    assertThat(codes).hasSize(3).doesNotHaveDuplicates();
    assertThat(codes).allMatch(c -> c.matches("OMO(-[A-HJ-NP-Z2-9]{4}){4}"));
    Customer c = server.customer("1.5");

    Http.Response first = redeem(c, codes.get(0));
    assertThat(first.status()).isEqualTo(200);
    assertThat(first.json().get("amount").decimalValue()).isEqualByComparingTo("10.25");
    assertThat(first.json().get("balance").decimalValue()).isEqualByComparingTo("11.75");

    JsonNode deposit =
        server.http.get("/api/v1/balance", c.key()).json().get("transactions").get(0);
    assertThat(deposit.get("type").asText()).isEqualTo("deposit");
    assertThat(deposit.get("amount").decimalValue()).isEqualByComparingTo("10.25");
    assertThat(deposit.get("note").asText())
        .isEqualTo("voucher …" + codes.get(0).substring(codes.get(0).length() - 4));

    Http.Response again = redeem(c, codes.get(0));
    assertThat(again.status()).isEqualTo(409);
    assertThat(again.json().get("error").asText()).isEqualTo("voucher_used");
    Customer other = server.customer("0");
    assertThat(redeem(other, codes.get(0)).status()).isEqualTo(409);
    assertThat(server.balance(c)).isEqualByComparingTo("11.75");
    assertThat(server.balance(other)).isEqualByComparingTo("0");

    // Typed loosely: lower case, spaces instead of dashes, no prefix.
    String loose = codes.get(1).substring(4).replace('-', ' ').toLowerCase(java.util.Locale.ROOT);
    assertThat(redeem(c, loose).status()).isEqualTo(200);
    assertThat(server.balance(c)).isEqualByComparingTo("22.00");
    Invariants.assertHold(server.app.database());
  }

  @Test
  void racingRedeemersGetOneDepositBetweenThem() throws Exception {
    String code = issue("5", 1).get(0);
    List<Customer> customers = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      customers.add(server.customer("0"));
    }
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<Integer>> answers = new ArrayList<>();
      for (Customer c : customers) {
        answers.add(pool.submit(() -> redeem(c, code).status()));
      }
      List<Integer> statuses = new ArrayList<>();
      for (Future<Integer> f : answers) {
        statuses.add(f.get());
      }
      assertThat(statuses).containsOnly(200, 409);
      assertThat(statuses.stream().filter(s -> s == 200).count()).isEqualTo(1);
    } finally {
      pool.shutdownNow();
    }
    java.math.BigDecimal total = java.math.BigDecimal.ZERO;
    for (Customer c : customers) {
      total = total.add(server.balance(c));
    }
    assertThat(total).isEqualByComparingTo("5");
  }

  @Test
  void guessingIsCutOffAndChangesNothing() {
    Customer guesser = server.customer("2");
    for (int i = 0; i < 10; i++) {
      Http.Response r = redeem(guesser, "OMO-AAAA-BBBB-CCCC-DD" + (10 + i));
      assertThat(r.status()).isEqualTo(404);
      assertThat(r.json().get("error").asText()).isEqualTo("voucher_not_found");
    }
    Http.Response cut = redeem(guesser, "OMO-AAAA-BBBB-CCCC-DDZZ");
    assertThat(cut.status()).isEqualTo(429);
    assertThat(cut.json().get("error").asText()).isEqualTo("rate_limited");
    assertThat(Long.parseLong(cut.header("Retry-After"))).isBetween(1L, 60L);
    // Even a real code waits: the budget is the account's, not the code's.
    String real = issue("1", 1).get(0);
    assertThat(redeem(guesser, real).status()).isEqualTo(429);
    assertThat(server.balance(guesser)).isEqualByComparingTo("2");
    // Another account from the same address still has guesses left (the address allows 30).
    assertThat(redeem(server.customer("0"), real).status()).isEqualTo(200);
  }

  @Test
  void issuingChecksItsInput() {
    for (String body :
        new String[] {
          "{\"amount\":0,\"count\":1}",
          "{\"amount\":-1}",
          "{\"amount\":100001}",
          "{\"amount\":1,\"count\":0}",
          "{\"amount\":1,\"count\":1001}",
          "{\"count\":1}"
        }) {
      Http.Response r = server.admin("POST", "/api/admin/vouchers", body);
      assertThat(r.status()).as(body).isEqualTo(400);
    }
    Customer c = server.customer("0");
    assertThat(server.http.post("/api/v1/balance/redeem", c.key(), "{}").status()).isEqualTo(400);
  }
}
