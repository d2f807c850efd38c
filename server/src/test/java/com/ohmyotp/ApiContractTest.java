package com.ohmyotp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.ohmyotp.support.Driver.Customer;
import com.ohmyotp.support.Http;
import com.ohmyotp.support.TestServer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every customer endpoint of the reference, answered with the reference's field names. */
class ApiContractTest {

  static TestServer server;
  static String uber;

  @BeforeAll
  static void start() {
    server = TestServer.start();
    uber = server.service("Uber", "0.4", "gateway");
    server.numbers("gateway", 20);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static List<String> fields(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  @Test
  void aTextWithTwoCodesListsBothAndNamesNone() {
    Customer c = server.customer("5");
    JsonNode rental = server.rent(c, uber);
    String id = rental.get("id").asText();
    server.inboundSms(
        rental.get("phone_number").asText(),
        "Bank",
        "Use 4821 to sign in and 7730 to confirm the payment. Never share these codes.");
    JsonNode sms =
        server.http.get("/api/v1/rentals/" + id, c.key()).json().get("sms_messages").get(0);
    assertThat(sms.get("code").isNull()).isTrue();
    assertThat(sms.get("codes").toString()).isEqualTo("[\"4821\",\"7730\"]");
  }

  @Test
  void userMe() {
    Customer c = server.customer("12.5");
    Http.Response r = server.http.get("/api/v1/user/me", c.key());
    assertThat(r.status()).isEqualTo(200);
    assertThat(fields(r.json())).containsExactly("id", "email", "balance", "created_at");
    assertThat(r.json().get("email").asText()).isEqualTo(c.email());
    assertThat(r.json().get("balance").decimalValue()).isEqualByComparingTo("12.5");
    assertThat(r.header("X-Request-Id")).isNotBlank();
  }

  @Test
  void servicesListAndDetailByIdOrName() {
    Customer c = server.customer("1");
    Http.Response list = server.http.get("/api/v1/services", c.key());
    assertThat(list.status()).isEqualTo(200);
    assertThat(fields(list.json())).containsExactly("services", "total");
    JsonNode entry = null;
    for (JsonNode s : list.json().get("services")) {
      if (s.get("name").asText().equals(uber)) {
        entry = s;
      }
    }
    assertThat(entry).isNotNull();
    assertThat(fields(entry)).startsWith("id", "name", "price", "available", "category");
    assertThat(entry.get("id").asText()).startsWith("AppID-");
    assertThat(entry.get("price").toString()).isEqualTo("0.4");
    assertThat(entry.get("available").asInt()).isPositive();
    assertThat(list.json().get("total").asInt()).isEqualTo(list.json().get("services").size());

    Http.Response byName = server.http.get("/api/v1/services/" + uber.toLowerCase(), c.key());
    Http.Response byId = server.http.get("/api/v1/services/" + entry.get("id").asText(), c.key());
    assertThat(byName.status()).isEqualTo(200);
    assertThat(byName.json()).isEqualTo(byId.json());
    assertThat(byName.json().get("name").asText()).isEqualTo(uber);
  }

  @Test
  void rentShowsTheNumberAndChargesExactly() {
    Customer c = server.customer("1");
    Http.Response r =
        server.http.post("/api/v1/rentals", c.key(), "{\"service_id\":\"" + uber + "\"}");
    assertThat(r.status()).isEqualTo(201);
    JsonNode rental = r.json();
    assertThat(fields(rental))
        .containsExactly(
            "id",
            "activation_id",
            "service_id",
            "phone_number",
            "phone_e164",
            "country",
            "status",
            "cost",
            "rented_at",
            "expires_at",
            "rerent",
            "sms_messages");
    assertThat(rental.get("id").asText())
        .matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}");
    // A number above 32 bits and exact as a JavaScript number (below 2^53).
    assertThat(rental.get("activation_id").isIntegralNumber()).isTrue();
    assertThat(rental.get("activation_id").asLong()).isBetween(1L << 32, (1L << 53) - 1);
    assertThat(rental.get("service_id").asText()).isEqualTo(uber);
    assertThat(rental.get("phone_number").asText()).matches("212\\d{7}");
    // Beside the reference's number: the same in E.164, and its country.
    assertThat(rental.get("phone_e164").asText())
        .isEqualTo("+1" + rental.get("phone_number").asText());
    assertThat(rental.get("country").asText()).isEqualTo("US");
    assertThat(rental.get("status").asText()).isEqualTo("active");
    assertThat(rental.get("cost").toString()).isEqualTo("0.4");
    assertThat(rental.get("rented_at").asLong()).isEqualTo(server.clock.epochSecond());
    assertThat(rental.get("expires_at").asLong()).isEqualTo(server.clock.epochSecond() + 600);
    assertThat(rental.get("sms_messages").isArray()).isTrue();

    JsonNode balance = server.http.get("/api/v1/balance", c.key()).json();
    assertThat(fields(balance)).containsExactly("balance", "transactions");
    assertThat(balance.get("balance").toString()).isEqualTo("0.6");
    JsonNode charge = balance.get("transactions").get(0);
    assertThat(charge.get("type").asText()).isEqualTo("rental_charge");
    assertThat(charge.get("amount").toString()).isEqualTo("-0.4");
    assertThat(charge.get("service_id").asText()).isEqualTo(uber);
    assertThat(charge.get("created_at_unix").asLong()).isEqualTo(server.clock.epochSecond());
  }

  @Test
  void detailCodeActiveHistoryAndCancel() {
    Customer c = server.customer("5");
    JsonNode rental = server.rent(c, uber);
    String id = rental.get("id").asText();

    JsonNode noCode = server.http.get("/api/v1/rentals/" + id + "/code", c.key()).json();
    assertThat(fields(noCode))
        .contains("rental_id", "status", "code", "message", "received_at", "expires_at");
    assertThat(noCode.get("code").isNull()).isTrue();
    assertThat(noCode.get("status").asText()).isEqualTo("active");

    Http.Response inbound =
        server.inboundSms(rental.get("phone_number").asText(), "Uber", "<Uber> Your code: 5384");
    assertThat(inbound.status()).isEqualTo(202);
    assertThat(inbound.json().get("status").asText()).isEqualTo("accepted");
    assertThat(inbound.json().get("rental_id").asText()).isEqualTo(id);

    JsonNode code = server.http.get("/api/v1/rentals/" + id + "/code", c.key()).json();
    assertThat(code.get("rental_id").asText()).isEqualTo(id);
    assertThat(code.get("status").asText()).isEqualTo("completed");
    assertThat(code.get("code").asText()).isEqualTo("5384");
    assertThat(code.get("message").asText()).isEqualTo("<Uber> Your code: 5384");
    assertThat(code.get("received_at").asLong()).isEqualTo(server.clock.epochSecond());
    assertThat(code.get("expires_at").asLong()).isEqualTo(rental.get("expires_at").asLong());

    JsonNode detail = server.http.get("/api/v1/rentals/" + id, c.key()).json();
    JsonNode sms = detail.get("sms_messages").get(0);
    assertThat(fields(sms))
        .containsExactly("id", "sender", "message", "code", "codes", "received_at");
    assertThat(sms.get("sender").asText()).isEqualTo("Uber");
    assertThat(sms.get("codes").toString()).isEqualTo("[\"5384\"]");

    JsonNode active = server.http.get("/api/v1/rentals/active", c.key()).json();
    assertThat(fields(active)).containsExactly("rentals", "total", "page", "limit");
    assertThat(active.get("rentals").get(0).get("id").asText()).isEqualTo(id);

    JsonNode history =
        server.http.get("/api/v1/rentals/history?status=all&used=true&limit=20", c.key()).json();
    assertThat(history.get("total").asInt()).isEqualTo(1);
    assertThat(history.get("limit").asInt()).isEqualTo(20);
    JsonNode entry = history.get("rentals").get(0);
    assertThat(entry.get("phone_e164").asText())
        .isEqualTo("+1" + entry.get("phone_number").asText());
    assertThat(entry.get("country").asText()).isEqualTo("US");
    assertThat(entry.get("last_code").asText()).isEqualTo("5384");
    assertThat(entry.get("last_sms_full_text").asText()).isEqualTo("<Uber> Your code: 5384");
    assertThat(entry.get("last_sms_received_at").asLong()).isEqualTo(server.clock.epochSecond());
    assertThat(entry.get("rentable").asBoolean()).isFalse();
    assertThat(entry.get("rentable_reason").asText()).isEqualTo("phone_currently_active");

    Http.Response cancel = server.http.post("/api/v1/rentals/" + id + "/cancel", c.key(), null);
    assertThat(cancel.status()).isEqualTo(200);
    assertThat(fields(cancel.json()))
        .containsExactly("id", "status", "refund_amount", "cancelled_at");
    assertThat(cancel.json().get("status").asText()).isEqualTo("cancelled");
    assertThat(cancel.json().get("refund_amount").toString()).isEqualTo("0");
    assertThat(server.balance(c)).isEqualByComparingTo("4.6");

    JsonNode after = server.http.get("/api/v1/rentals/history?status=cancelled", c.key()).json();
    assertThat(after.get("rentals").get(0).get("rentable").asBoolean()).isTrue();
    assertThat(after.get("rentals").get(0).get("rentable_reason").asText()).isEqualTo("ok");
    assertThat(server.http.get("/api/v1/rentals/active", c.key()).json().get("total").asInt())
        .isZero();
  }

  @Test
  void messagesAreKeptExactlyAndCodesReadInAnyLanguage() {
    Customer c = server.customer("5");
    JsonNode rental = server.rent(c, uber);
    String id = rental.get("id").asText();
    String phone = rental.get("phone_number").asText();

    String japanese = "【楽天】認証コード：４８２９１３\nこのコードを他人に教えないでください。";
    assertThat(server.inboundSms(phone, "Rakuten", japanese).status()).isEqualTo(202);
    JsonNode code = server.http.get("/api/v1/rentals/" + id + "/code", c.key()).json();
    assertThat(code.get("code").asText()).isEqualTo("482913");
    assertThat(code.get("message").asText()).isEqualTo(japanese);
    assertThat(code.get("sender").asText()).isEqualTo("Rakuten");

    // A later SMS with no code is the newest: its code is null and its text is kept as sent.
    String notice = "Your parcel 48213 is out for delivery, call 415-237-0403.";
    assertThat(server.inboundSms(phone, "UPS", notice).status()).isEqualTo(202);
    JsonNode latest = server.http.get("/api/v1/rentals/" + id + "/code", c.key()).json();
    assertThat(latest.get("code").isNull()).isTrue();
    assertThat(latest.get("message").asText()).isEqualTo(notice);
    assertThat(latest.get("sender").asText()).isEqualTo("UPS");

    JsonNode messages =
        server.http.get("/api/v1/rentals/" + id, c.key()).json().get("sms_messages");
    assertThat(messages).hasSize(2);
    assertThat(messages.findValuesAsText("message")).containsExactlyInAnyOrder(japanese, notice);
  }

  @Test
  void rerentAndItsBatchCheck() {
    Customer c = server.customer("5");
    JsonNode first = server.rent(c, uber);
    String phone = first.get("phone_number").asText();
    server.http.post("/api/v1/rentals/" + first.get("id").asText() + "/cancel", c.key(), null);

    JsonNode check =
        server
            .http
            .post(
                "/api/v1/rentals/rerent/check",
                c.key(),
                "{\"service_id\":\""
                    + uber
                    + "\",\"phone_numbers\":[\""
                    + phone
                    + "\",\"3125550001\"]}")
            .json();
    assertThat(fields(check))
        .containsExactly("service_id", "cost", "balance", "eligible_count", "results");
    assertThat(check.get("eligible_count").asInt()).isEqualTo(1);
    assertThat(check.get("balance").toString()).isEqualTo("5");
    JsonNode ok = check.get("results").get(0);
    assertThat(fields(ok)).containsExactly("phone_number", "eligible", "reason", "cost");
    assertThat(ok.get("eligible").asBoolean()).isTrue();
    assertThat(ok.get("reason").asText()).isEqualTo("ok");
    assertThat(check.get("results").get(1).get("reason").asText())
        .isEqualTo("phone_not_in_inventory");

    String body = "{\"service_id\":\"" + uber + "\",\"phone_number\":\"" + phone + "\"}";
    Http.Response rerent =
        server.http.post(
            "/api/v1/rentals/rerent?idempotency_key=rerent-20260515-0001", c.key(), body);
    assertThat(rerent.status()).isEqualTo(201);
    assertThat(rerent.json().get("rerent").asBoolean()).isTrue();
    assertThat(rerent.json().get("phone_number").asText()).isEqualTo(phone);

    Http.Response replay =
        server.http.post(
            "/api/v1/rentals/rerent?idempotency_key=rerent-20260515-0001", c.key(), body);
    assertThat(replay.status()).isEqualTo(201);
    assertThat(replay.json()).isEqualTo(rerent.json());
    assertThat(server.balance(c)).isEqualByComparingTo("4.6");
  }

  @Test
  void rentWithAnIdempotencyKeyHeaderChargesOnce() {
    Customer c = server.customer("1");
    var headers = java.util.Map.of("Idempotency-Key", "rent-key-0001");
    String body = "{\"service_id\":\"" + uber + "\"}";
    Http.Response first = server.http.send("POST", "/api/v1/rentals", c.key(), body, headers);
    Http.Response again = server.http.send("POST", "/api/v1/rentals", c.key(), body, headers);
    assertThat(first.status()).isEqualTo(201);
    assertThat(again.status()).isEqualTo(201);
    assertThat(again.json().get("id")).isEqualTo(first.json().get("id"));
    assertThat(server.balance(c)).isEqualByComparingTo("0.6");
  }
}
