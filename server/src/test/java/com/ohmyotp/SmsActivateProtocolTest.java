package com.ohmyotp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.ohmyotp.support.Driver.Customer;
import com.ohmyotp.support.Http;
import com.ohmyotp.support.Invariants;
import com.ohmyotp.support.SmsActivateClient;
import com.ohmyotp.support.SmsActivateClient.Answer;
import com.ohmyotp.support.SmsActivateClient.Number;
import com.ohmyotp.support.SmsActivateClient.ProtocolError;
import com.ohmyotp.support.TestServer;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The SMS-Activate protocol at {@code /stubs/handler_api.php}, driven by a client written from the
 * protocol's documentation ({@link SmsActivateClient}), over the same accounts, money and rentals
 * as the REST API.
 */
class SmsActivateProtocolTest {

  static TestServer server;

  /** Our Uber, with the protocol's code ub, at 0.40; numbers enough for every test. */
  static final String UBER_CODE = "ub";

  static String uber;

  @BeforeAll
  static void start() {
    server = TestServer.start();
    uber = service("Uber", "0.40", UBER_CODE);
    server.numbers("gateway", 80);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  /** A gateway service with a protocol code; returns its name. */
  static String service(String name, String price, String code) {
    Http.Response r =
        server.admin(
            "POST",
            "/api/admin/services",
            "{\"name\":\""
                + name
                + "\",\"category\":\"Test\",\"price\":"
                + price
                + ",\"source\":\"gateway\",\"protocol_code\":\""
                + code
                + "\"}");
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    assertThat(r.json().get("protocol_code").asText()).isEqualTo(code);
    return name;
  }

  static SmsActivateClient client(Customer c) {
    return new SmsActivateClient(server.base, c.key());
  }

  /** The number a client got, written as the REST API and the gateways write it. */
  static String national(Number n) {
    assertThat(n.phone()).startsWith("1").hasSize(11);
    return n.phone().substring(1);
  }

  @Test
  void aWholeActivationWithASecondCodeEndsCompletedAndPaidOnce() {
    Customer c = server.customer("5");
    SmsActivateClient client = client(c);
    assertThat(client.getBalance()).isEqualTo("ACCESS_BALANCE:5.00");

    Number n = client.getNumber(UBER_CODE, "187");
    assertThat(n.activationId()).isGreaterThanOrEqualTo(1L << 32).isLessThan(1L << 53);
    assertThat(client.getBalance()).isEqualTo("ACCESS_BALANCE:4.60");
    assertThat(client.getStatus(n.activationId())).isEqualTo("STATUS_WAIT_CODE");
    assertThat(client.setStatus(n.activationId(), 1)).isEqualTo("ACCESS_READY");

    deliver(national(n), "Your Uber code is 482913");
    assertThat(client.getStatus(n.activationId())).isEqualTo("STATUS_OK:482913");

    assertThat(client.setStatus(n.activationId(), 3)).isEqualTo("ACCESS_RETRY_GET");
    assertThat(client.getStatus(n.activationId())).isEqualTo("STATUS_WAIT_RETRY:482913");
    deliver(national(n), "Your Uber code is 771204");
    assertThat(client.getStatus(n.activationId())).isEqualTo("STATUS_OK:771204");

    assertThat(client.setStatus(n.activationId(), 6)).isEqualTo("ACCESS_ACTIVATION");
    assertThat(client.getStatus(n.activationId())).isEqualTo("STATUS_OK:771204");
    // Asked again, as a client does after a lost answer: the same answer, nothing charged.
    assertThat(client.setStatus(n.activationId(), 6)).isEqualTo("ACCESS_ACTIVATION");
    assertThat(client.getBalance()).isEqualTo("ACCESS_BALANCE:4.60");

    // The same rental through REST: completed, both codes, its number let go.
    JsonNode rental = restRental(c, n.activationId());
    assertThat(rental.get("status").asText()).isEqualTo("completed");
    assertThat(rental.get("activation_id").asLong()).isEqualTo(n.activationId());
    assertThat(rental.get("phone_number").asText()).isEqualTo(national(n));
    assertThat(rental.get("sms_messages")).hasSize(2);
    assertThat(server.http.get("/api/v1/rentals/active", c.key()).json().get("total").asInt())
        .isZero();
    assertThat(client.call("action", "getActiveActivations").json().get("activeActivations"))
        .isEmpty();
    // A message after the finish is not the customer's any more.
    server.inboundSms(national(n), "Uber", "Your Uber code is 000111");
    assertThat(client.getStatus(n.activationId())).isEqualTo("STATUS_OK:771204");
    assertThat(server.balance(c)).isEqualByComparingTo("4.60");
  }

  @Test
  void cancelWithoutAnSmsRefundsInFullOnceAndAtOnce() {
    Customer c = server.customer("1");
    SmsActivateClient client = client(c);
    Number n = client.getNumber(UBER_CODE, null);
    assertThat(server.balance(c)).isEqualByComparingTo("0.60");

    assertThat(client.setStatus(n.activationId(), 8)).isEqualTo("ACCESS_CANCEL");
    assertThat(client.getStatus(n.activationId())).isEqualTo("STATUS_CANCEL");
    assertThat(client.setStatus(n.activationId(), 8)).isEqualTo("ACCESS_CANCEL");
    assertThat(server.balance(c)).isEqualByComparingTo("1.00");
    JsonNode rental = restRental(c, n.activationId());
    assertThat(rental.get("status").asText()).isEqualTo("cancelled");
    assertThat(rental.get("refund_amount").decimalValue()).isEqualByComparingTo("0.40");
    // Cancelled, it cannot be finished, asked for another code or marked ready.
    assertThat(client.setStatus(n.activationId(), 6)).isEqualTo("BAD_STATUS");
    assertThat(client.setStatus(n.activationId(), 3)).isEqualTo("BAD_STATUS");
    assertThat(client.setStatus(n.activationId(), 1)).isEqualTo("BAD_STATUS");
    assertThat(server.balance(c)).isEqualByComparingTo("1.00");
  }

  @Test
  void cancelAfterAnSmsFinishesTheActivationAndKeepsItsCharge() {
    Customer c = server.customer("1");
    SmsActivateClient client = client(c);
    Number n = client.getNumber(UBER_CODE, "187");
    server.inboundSms(national(n), "Uber", "Your Uber code is 314159");

    assertThat(client.setStatus(n.activationId(), 8)).isEqualTo("ACCESS_ACTIVATION");
    assertThat(client.setStatus(n.activationId(), 8)).isEqualTo("ACCESS_ACTIVATION");
    assertThat(client.getStatus(n.activationId())).isEqualTo("STATUS_OK:314159");
    assertThat(server.balance(c)).isEqualByComparingTo("0.60");
    assertThat(restRental(c, n.activationId()).get("status").asText()).isEqualTo("completed");
  }

  @Test
  void aRentalWhoseWindowClosesWithoutAnSmsIsCancelledAndRefunded() {
    try (TestServer small = TestServer.start()) {
      small.admin(
          "POST",
          "/api/admin/services",
          "{\"name\":\"Quick\",\"category\":\"Test\",\"price\":0.25,\"source\":\"gateway\","
              + "\"duration_seconds\":60,\"protocol_code\":\"qk\"}");
      small.numbers("gateway", 1);
      Customer c = small.customer("1");
      SmsActivateClient client = new SmsActivateClient(small.base, c.key());
      Number n = client.getNumber("qk", null);
      small.clock.advance(Duration.ofSeconds(61));
      assertThat(client.getStatus(n.activationId())).isEqualTo("STATUS_CANCEL");
      assertThat(client.setStatus(n.activationId(), 8)).isEqualTo("ACCESS_CANCEL");
      assertThat(small.balance(c)).isEqualByComparingTo("1.00");
    }
  }

  @Test
  void awaitingAnotherCodeWhenTheWindowClosesEndsTheWait() {
    try (TestServer small = TestServer.start()) {
      small.admin(
          "POST",
          "/api/admin/services",
          "{\"name\":\"Quick\",\"category\":\"Test\",\"price\":0.25,\"source\":\"gateway\","
              + "\"duration_seconds\":60,\"protocol_code\":\"qk\"}");
      small.numbers("gateway", 1);
      Customer c = small.customer("1");
      SmsActivateClient client = new SmsActivateClient(small.base, c.key());
      Number n = client.getNumber("qk", null);
      small.inboundSms(national(n), "Quick", "Your code is 2468");
      assertThat(client.setStatus(n.activationId(), 3)).isEqualTo("ACCESS_RETRY_GET");
      small.clock.advance(Duration.ofSeconds(61));
      assertThat(client.getStatus(n.activationId())).isEqualTo("STATUS_CANCEL");
      assertThat(client.setStatus(n.activationId(), 8)).isEqualTo("ACCESS_ACTIVATION");
      assertThat(small.balance(c)).isEqualByComparingTo("0.75");
    }
  }

  @Test
  void everyErrorIsTheProtocolsWordAndChargesNothing() {
    Customer c = server.customer("0.50");
    SmsActivateClient client = client(c);
    Number mine = client.getNumber(UBER_CODE, null);
    // 0.10 left: too little for another Uber.

    assertThat(new SmsActivateClient(server.base, "omo_live_nope").getBalance())
        .isEqualTo("BAD_KEY");
    assertThat(client.get("action=getBalance").text()).isEqualTo("BAD_KEY");
    assertThat(client.call("action", "getTheMoon").text()).isEqualTo("BAD_ACTION");
    assertThat(client.call().text()).isEqualTo("BAD_ACTION");
    assertThat(client.call("action", "getNumber", "service", "zz").text()).isEqualTo("BAD_SERVICE");
    assertThat(client.call("action", "getNumber").text()).isEqualTo("BAD_SERVICE");
    assertThat(client.call("action", "getNumber", "service", UBER_CODE).text())
        .isEqualTo("NO_BALANCE");
    assertThat(client.call("action", "getNumber", "service", UBER_CODE, "maxPrice", "0.39").text())
        .isEqualTo("WRONG_MAX_PRICE:0.40");
    assertThat(client.call("action", "getNumber", "service", UBER_CODE, "maxPrice", "cheap").text())
        .isEqualTo("WRONG_MAX_PRICE:0.40");
    assertThat(client.call("action", "getNumber", "service", UBER_CODE, "country", "0").text())
        .isEqualTo("NO_NUMBERS");
    assertThat(client.call("action", "getNumber", "service", UBER_CODE, "country", "999").text())
        .isEqualTo("NO_NUMBERS");
    assertThat(client.getStatus(ThreadLocalRandom.current().nextLong(1L << 32, 1L << 40)))
        .isEqualTo("NO_ACTIVATION");
    assertThat(client.call("action", "getStatus", "id", "abc").text()).isEqualTo("NO_ACTIVATION");
    assertThat(client.call("action", "getStatus").text()).isEqualTo("NO_ACTIVATION");
    assertThat(client.call("action", "getStatus", "id", "9".repeat(400)).text())
        .isEqualTo("NO_ACTIVATION");
    assertThat(client.call("action", "getStatus", "id", "-4294967296").text())
        .isEqualTo("NO_ACTIVATION");
    assertThat(client.setStatus(mine.activationId(), 5)).isEqualTo("BAD_STATUS");
    assertThat(client.call("action", "setStatus", "id", String.valueOf(mine.activationId())).text())
        .isEqualTo("BAD_STATUS");
    assertThat(
            client
                .call(
                    "action",
                    "setStatus",
                    "id",
                    String.valueOf(mine.activationId()),
                    "status",
                    "six")
                .text())
        .isEqualTo("BAD_STATUS");
    // Before any SMS, there is no code to finish with or to ask again for.
    assertThat(client.setStatus(mine.activationId(), 6)).isEqualTo("BAD_STATUS");
    assertThat(client.setStatus(mine.activationId(), 3)).isEqualTo("BAD_STATUS");
    assertThat(client.getStatus(mine.activationId())).isEqualTo("STATUS_WAIT_CODE");

    assertThat(server.balance(c)).isEqualByComparingTo("0.10");
    assertThat(server.http.get("/api/v1/rentals/history", c.key()).json().get("total").asInt())
        .isEqualTo(1);
  }

  @Test
  void answersAreTextOrJsonWithHttp200AndTheKeyMayComeInAHeaderOrAForm() {
    Customer c = server.customer("2");
    SmsActivateClient client = client(c);
    Answer text = client.call("action", "getBalance");
    assertThat(text.status()).isEqualTo(200);
    assertThat(text.contentType()).startsWith("text/plain").containsIgnoringCase("charset=utf-8");
    Answer error = client.call("action", "nothing");
    assertThat(error.status()).isEqualTo(200);
    assertThat(error.contentType()).startsWith("text/plain");
    Answer json = client.call("action", "getNumbersStatus");
    assertThat(json.status()).isEqualTo(200);
    assertThat(json.contentType()).startsWith("application/json");

    SmsActivateClient keyless = new SmsActivateClient(server.base, "unused");
    assertThat(keyless.get("action=getBalance").text()).isEqualTo("BAD_KEY");
    assertThat(keyless.postForm("action=getBalance", Map.of("X-ApiKey", c.key())).text())
        .isEqualTo("ACCESS_BALANCE:2.00");
    assertThat(
            keyless
                .postForm("api_key=" + c.key() + "&action=getNumber&service=ub", Map.of())
                .text())
        .startsWith("ACCESS_NUMBER:");
    assertThat(server.balance(c)).isEqualByComparingTo("1.60");
    // One parameter given twice with two values is not guessed at.
    assertThat(client.get("api_key=" + c.key() + "&action=getBalance&action=getNumber").text())
        .isEqualTo("BAD_ACTION");
    assertThat(client.get("api_key=" + c.key() + "&action=getNumber&service=ub&service=zz").text())
        .isEqualTo("BAD_SERVICE");
    assertThat(
            client
                .get("api_key=" + c.key() + "&action=getNumber&service=ub&maxPrice=1&maxPrice=0.1")
                .text())
        .isEqualTo("WRONG_MAX_PRICE:0.40");
    assertThat(client.get("api_key=" + c.key() + "&api_key=omo_live_x&action=getBalance").text())
        .isEqualTo("BAD_KEY");
    assertThat(server.balance(c)).isEqualByComparingTo("1.60");
  }

  @Test
  void getNumberV2AndActiveActivationsSpeakTheProtocolsJson() {
    Customer c = server.customer("3");
    SmsActivateClient client = client(c);
    long before = server.clock.epochSecond();
    JsonNode v2 =
        client
            .call("action", "getNumberV2", "service", UBER_CODE, "country", "187", "maxPrice", "1")
            .json();
    assertThat(v2.get("activationId").isIntegralNumber()).isTrue();
    long id = v2.get("activationId").asLong();
    assertThat(id).isGreaterThanOrEqualTo(1L << 32);
    assertThat(v2.get("phoneNumber").asText()).matches("1212[0-9]{7}");
    assertThat(v2.get("activationCost").decimalValue()).isEqualByComparingTo("0.40");
    assertThat(v2.get("countryCode").asText()).isEqualTo("187");
    assertThat(v2.get("canGetAnotherSms").asBoolean()).isTrue();
    assertThat(v2.get("activationTime").asText())
        .isEqualTo(
            java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
                .withZone(java.time.ZoneOffset.UTC)
                .format(java.time.Instant.ofEpochSecond(before)));
    assertThat(v2.get("activationOperator").asText()).isEqualTo("any");

    server.inboundSms(v2.get("phoneNumber").asText().substring(1), "Uber", "Uber: 5566 is it");
    JsonNode active = client.call("action", "getActiveActivations").json();
    assertThat(active.get("status").asText()).isEqualTo("success");
    assertThat(active.get("activeActivations")).hasSize(1);
    JsonNode a = active.get("activeActivations").get(0);
    assertThat(a.get("activationId").asLong()).isEqualTo(id);
    assertThat(a.get("serviceCode").asText()).isEqualTo(UBER_CODE);
    assertThat(a.get("phoneNumber").asText()).isEqualTo(v2.get("phoneNumber").asText());
    assertThat(a.get("activationCost").decimalValue()).isEqualByComparingTo("0.40");
    assertThat(a.get("smsCode").get(0).asText()).isEqualTo("5566");
    assertThat(a.get("smsText").asText()).isEqualTo("Uber: 5566 is it");
    assertThat(a.get("countryCode").asText()).isEqualTo("187");
    assertThat(a.get("countryName").asText()).isEqualTo("USA");
    // Another account sees none of it.
    SmsActivateClient other = client(server.customer("1"));
    assertThat(other.call("action", "getActiveActivations").json().get("activeActivations"))
        .isEmpty();
  }

  @Test
  void anotherAccountsActivationIsNoActivationAndStaysAsItWas() {
    Customer owner = server.customer("1");
    Customer stranger = server.customer("1");
    Number n = client(owner).getNumber(UBER_CODE, null);
    SmsActivateClient other = client(stranger);

    assertThat(other.getStatus(n.activationId())).isEqualTo("NO_ACTIVATION");
    for (int status : new int[] {1, 3, 6, 8, 5}) {
      assertThat(other.setStatus(n.activationId(), status)).isEqualTo("NO_ACTIVATION");
    }
    assertThat(client(owner).getStatus(n.activationId())).isEqualTo("STATUS_WAIT_CODE");
    assertThat(server.balance(owner)).isEqualByComparingTo("0.60");
    assertThat(server.balance(stranger)).isEqualByComparingTo("1.00");
  }

  @Test
  void twentyParallelRentsWithMoneyForFiveGetExactlyFive() throws Exception {
    Customer c = server.customer("2.00");
    SmsActivateClient client = client(c);
    ExecutorService pool = Executors.newFixedThreadPool(20);
    try {
      List<Callable<String>> calls = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        calls.add(() -> client.call("action", "getNumber", "service", UBER_CODE).text());
      }
      List<String> answers = new ArrayList<>();
      for (Future<String> f : pool.invokeAll(calls)) {
        answers.add(f.get());
      }
      assertThat(answers.stream().filter(a -> a.startsWith("ACCESS_NUMBER:"))).hasSize(5);
      assertThat(answers.stream().filter(a -> a.equals("NO_BALANCE"))).hasSize(15);
      assertThat(
              answers.stream()
                  .filter(a -> a.startsWith("ACCESS_NUMBER:"))
                  .map(a -> a.split(":")[2])
                  .distinct())
          .hasSize(5);
    } finally {
      pool.shutdownNow();
    }
    assertThat(server.balance(c)).isEqualByComparingTo("0");
    assertThat(client.getBalance()).isEqualTo("ACCESS_BALANCE:0.00");
  }

  @Test
  void restAndProtocolOnOneAccountKeepTheMoneyExact() {
    Customer c = server.customer("10");
    SmsActivateClient client = client(c);
    BigDecimal spent = BigDecimal.ZERO;
    for (int i = 0; i < 6; i++) {
      // Alternately by REST and by the protocol: rent, then end it the other way.
      if (i % 2 == 0) {
        JsonNode rental = server.rent(c, uber);
        long id = rental.get("activation_id").asLong();
        if (i % 4 == 0) {
          server.inboundSms(rental.get("phone_number").asText(), "Uber", "Code 9" + i + "31");
          assertThat(client.setStatus(id, 6)).isEqualTo("ACCESS_ACTIVATION");
          spent = spent.add(new BigDecimal("0.40"));
        } else {
          assertThat(client.setStatus(id, 8)).isEqualTo("ACCESS_CANCEL");
        }
      } else {
        Number n = client.getNumber(UBER_CODE, null);
        String rentalId = restRental(c, n.activationId()).get("id").asText();
        if (i % 3 == 0) {
          server.inboundSms(national(n), "Uber", "Code 7" + i + "75");
          spent = spent.add(new BigDecimal("0.40"));
        }
        Http.Response cancel =
            server.http.post("/api/v1/rentals/" + rentalId + "/cancel", c.key(), "");
        assertThat(cancel.status()).as(cancel.text()).isEqualTo(200);
      }
    }
    assertThat(server.balance(c)).isEqualByComparingTo(new BigDecimal("10").subtract(spent));
    Invariants.assertHold(server.app.database());
  }

  @Test
  void pricesAndNumberCountsAreByProtocolCountryAndServiceCode() {
    try (TestServer small = TestServer.start()) {
      small.admin(
          "POST",
          "/api/admin/services",
          "{\"name\":\"WhatsApp\",\"category\":\"Chat\",\"price\":0.6,\"source\":\"gateway\","
              + "\"protocol_code\":\"wa\"}");
      small.admin(
          "POST",
          "/api/admin/services",
          "{\"name\":\"Walmart\",\"category\":\"retail\",\"price\":0.4,\"source\":\"gateway\"}");
      small.numbers("gateway", 3);
      Http.Response uk =
          small.admin(
              "POST",
              "/api/admin/numbers",
              "{\"source\":\"gateway\",\"numbers\":[{\"phone_number\":\"+442071838750\"},"
                  + "{\"phone_number\":\"+442071838751\"}]}");
      assertThat(uk.status()).as(uk.text()).isEqualTo(201);
      assertThat(uk.json().get("imported").asInt()).as(uk.text()).isEqualTo(2);
      Customer c = small.customer("5");
      SmsActivateClient client = new SmsActivateClient(small.base, c.key());

      JsonNode prices = client.call("action", "getPrices").json();
      assertThat(prices.has("16")).as(prices.toString()).isTrue();
      assertThat(prices.get("187").get("wa").get("cost").decimalValue())
          .isEqualByComparingTo("0.6");
      assertThat(prices.get("187").get("wa").get("count").asLong()).isEqualTo(3);
      assertThat(prices.get("16").get("wa").get("count").asLong()).isEqualTo(2);
      // A service without a protocol code is listed, and rented, under its name.
      assertThat(prices.get("187").get("Walmart").get("count").asLong()).isEqualTo(3);

      Number british = client.getNumber("wa", "16");
      assertThat(british.phone()).startsWith("44");
      Number american = client.getNumber("wa", "12");
      assertThat(american.phone()).startsWith("1");
      assertThat(client.getNumber("Walmart", "187").phone()).startsWith("1");

      JsonNode onlyUk = client.call("action", "getPrices", "service", "wa", "country", "16").json();
      assertThat(onlyUk.fieldNames()).toIterable().containsExactly("16");
      assertThat(onlyUk.get("16").fieldNames()).toIterable().containsExactly("wa");
      assertThat(onlyUk.get("16").get("wa").get("count").asLong()).isEqualTo(1);
      assertThat(client.call("action", "getPrices", "service", "zz").text())
          .isEqualTo("BAD_SERVICE");

      JsonNode status = client.call("action", "getNumbersStatus", "country", "187").json();
      // Three American numbers: one rented for each service, so neither has the other's.
      assertThat(status.get("wa_0").asLong()).isEqualTo(1);
      assertThat(status.get("Walmart_0").asLong()).isEqualTo(1);
      JsonNode everywhere = client.call("action", "getNumbersStatus").json();
      assertThat(everywhere.get("wa_0").asLong()).isEqualTo(2);
      assertThat(small.balance(c)).isEqualByComparingTo("3.40");
    }
  }

  @Test
  void overTheRateLimitTheProtocolAnswers429WithItsTryAgainWord() {
    try (TestServer small =
        TestServer.start(
            Map.of("OHMYOTP_RATE_LIMIT_PER_SECOND", "1", "OHMYOTP_RATE_LIMIT_BURST", "2"))) {
      Customer c = small.customer("1");
      SmsActivateClient client = new SmsActivateClient(small.base, c.key());
      Answer last = null;
      for (int i = 0; i < 5; i++) {
        last = client.call("action", "getBalance");
      }
      assertThat(last.status()).isEqualTo(429);
      assertThat(last.text()).isEqualTo("ERROR_SQL");
      // The REST API and the protocol share the key's limit.
      assertThat(small.http.get("/api/v1/balance", c.key()).status()).isEqualTo(429);
    }
  }

  @Test
  void operatorsGiveServicesProtocolCodesThatAreUniqueAndWellFormed() {
    String name = "Telegram" + ThreadLocalRandom.current().nextInt(1_000_000);
    Http.Response created =
        server.admin(
            "POST",
            "/api/admin/services",
            "{\"name\":\""
                + name
                + "\",\"category\":\"Chat\",\"price\":0.5,\"source\":\"gateway\"}");
    assertThat(created.json().get("protocol_code").isNull()).isTrue();
    Http.Response taken =
        server.admin("PATCH", "/api/admin/services/" + name, "{\"protocol_code\":\"ub\"}");
    assertThat(taken.status()).isEqualTo(409);
    assertThat(taken.json().get("error").asText()).isEqualTo("protocol_code_taken");
    Http.Response bad =
        server.admin("PATCH", "/api/admin/services/" + name, "{\"protocol_code\":\"t g!\"}");
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.json().get("error").asText()).isEqualTo("invalid_field");
    Http.Response set =
        server.admin("PATCH", "/api/admin/services/" + name, "{\"protocol_code\":\"TG\"}");
    assertThat(set.status()).isEqualTo(200);
    assertThat(set.json().get("protocol_code").asText()).isEqualTo("tg");
    Customer c = server.customer("1");
    assertThat(client(c).call("action", "getNumber", "service", "tg").text())
        .startsWith("ACCESS_NUMBER:");
    Http.Response cleared =
        server.admin("PATCH", "/api/admin/services/" + name, "{\"protocol_code\":\"\"}");
    assertThat(cleared.json().get("protocol_code").isNull()).isTrue();
    assertThat(client(c).call("action", "getNumber", "service", "tg").text())
        .isEqualTo("BAD_SERVICE");
    assertThat(server.balance(c)).isEqualByComparingTo("0.50");
  }

  @Test
  void hostileParametersGetTheProtocolsWordsAndChangeNothing() {
    // Some two thousand requests from one key: more than its default rate limit allows.
    try (TestServer server =
        TestServer.start(
            Map.of(
                "OHMYOTP_RATE_LIMIT_PER_SECOND",
                "1000000",
                "OHMYOTP_RATE_LIMIT_BURST",
                "1000000"))) {
      hostileParameters(server);
    }
  }

  private static void hostileParameters(TestServer server) {
    server.admin(
        "POST",
        "/api/admin/services",
        "{\"name\":\"Uber\",\"category\":\"Test\",\"price\":0.40,\"source\":\"gateway\","
            + "\"protocol_code\":\"ub\"}");
    server.numbers("gateway", 2);
    Customer c = server.customer("0.39");
    SmsActivateClient client = new SmsActivateClient(server.base, c.key());
    Customer owner = server.customer("1");
    SmsActivateClient ownerClient = new SmsActivateClient(server.base, owner.key());
    long theirs = ownerClient.getNumber(UBER_CODE, null).activationId();
    List<String> hostile =
        List.of(
            "",
            " ",
            "-1",
            "0",
            "1e9",
            "NaN",
            "Infinity",
            "0x10",
            "9".repeat(300),
            "x".repeat(4_000),
            "UB",
            " ub",
            "1.5",
            "' OR 1=1 --",
            "<script>alert(1)</script>",
            "\u202e\u200b",
            "\uD83D\uDE00",
            String.valueOf(theirs),
            String.valueOf(Long.MAX_VALUE),
            "18446744073709551616");
    List<String> actions =
        List.of(
            "getBalance",
            "getNumber",
            "getNumberV2",
            "getStatus",
            "setStatus",
            "getPrices",
            "getNumbersStatus",
            "getActiveActivations");
    List<String> parameters =
        List.of("action", "service", "country", "maxPrice", "operator", "id", "status");
    java.util.regex.Pattern words =
        java.util.regex.Pattern.compile(
            "ACCESS_BALANCE:0\\.39|BAD_ACTION|BAD_SERVICE|BAD_STATUS|NO_ACTIVATION|NO_BALANCE"
                + "|NO_NUMBERS|WRONG_MAX_PRICE:0\\.40|\\{.*\\}",
            java.util.regex.Pattern.DOTALL);
    int requests = 0;
    for (String action : actions) {
      for (String parameter : parameters) {
        for (String value : hostile) {
          Map<String, String> params = new java.util.LinkedHashMap<>();
          params.put("api_key", c.key());
          params.put("action", action);
          params.put("service", UBER_CODE);
          params.put("id", String.valueOf(theirs));
          params.put("status", "8");
          params.put(parameter, value);
          for (Answer a :
              List.of(
                  client.get(SmsActivateClient.query(params)),
                  client.postForm(SmsActivateClient.query(params), Map.of()))) {
            requests++;
            assertThat(a.status()).as(action + " " + parameter + "=" + value).isEqualTo(200);
            assertThat(a.text()).as(action + " " + parameter + "=" + value).matches(words);
          }
        }
      }
    }
    assertThat(requests).isEqualTo(2 * actions.size() * parameters.size() * hostile.size());
    assertThat(server.balance(c)).isEqualByComparingTo("0.39");
    assertThat(server.http.get("/api/v1/rentals/history", c.key()).json().get("total").asInt())
        .isZero();
    assertThat(ownerClient.getStatus(theirs)).isEqualTo("STATUS_WAIT_CODE");
    assertThat(server.balance(owner)).isEqualByComparingTo("0.60");
  }

  @Test
  void aProtocolClientFailsLoudlyOnlyOnWhatItDoesNotKnow() {
    Customer c = server.customer("0");
    assertThatThrownBy(() -> client(c).getNumber(UBER_CODE, null))
        .isInstanceOf(ProtocolError.class)
        .hasMessage("NO_BALANCE");
  }

  /** An SMS from Uber to a number, which must reach the rental holding it. */
  private static void deliver(String number, String text) {
    Http.Response r = server.inboundSms(number, "Uber", text);
    assertThat(r.status()).as(r.text()).isEqualTo(202);
    assertThat(r.json().get("rental_id").isTextual()).as(r.text()).isTrue();
  }

  private static JsonNode restRental(Customer c, long activationId) {
    JsonNode history = server.http.get("/api/v1/rentals/history?limit=200", c.key()).json();
    for (JsonNode r : history.get("rentals")) {
      if (r.get("activation_id").asLong() == activationId) {
        return server.http.get("/api/v1/rentals/" + r.get("id").asText(), c.key()).json();
      }
    }
    throw new AssertionError("no rental with activation id " + activationId);
  }
}
