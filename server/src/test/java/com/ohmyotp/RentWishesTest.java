package com.ohmyotp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.ohmyotp.support.Driver.Customer;
import com.ohmyotp.support.Http;
import com.ohmyotp.support.TestServer;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What a customer may ask of a rent besides its service: a country, and a most it will pay. */
class RentWishesTest {

  static TestServer server;
  static String service;

  @BeforeAll
  static void start() {
    server = TestServer.start();
    service = server.service("Telegram", "0.55", "gateway");
    server.numbers("gateway", 3);
    Http.Response uk =
        server.admin(
            "POST",
            "/api/admin/numbers",
            "{\"source\":\"gateway\",\"numbers\":[{\"phone_number\":\"+442071838750\"},"
                + "{\"phone_number\":\"+442071838751\"}]}");
    assertThat(uk.json().get("imported").asInt()).isEqualTo(2);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static Http.Response rent(Customer c, String body, Map<String, String> headers) {
    return server.http.send("POST", "/api/v1/rentals", c.key(), body, headers);
  }

  @Test
  void aPriceAboveTheCustomersMostIsRefusedAndNotCharged() {
    Customer c = server.customer("1");
    Http.Response refused =
        rent(c, "{\"service_id\":\"" + service + "\",\"max_price\":0.54}", Map.of());
    assertThat(refused.status()).isEqualTo(409);
    assertThat(refused.json().get("error").asText()).isEqualTo("price_above_max");
    assertThat(refused.json().get("message").asText()).contains("0.55").contains("0.54");
    assertThat(server.balance(c)).isEqualByComparingTo("1");
    Http.Response bad = rent(c, "{\"service_id\":\"" + service + "\",\"max_price\":-1}", Map.of());
    assertThat(bad.status()).isEqualTo(400);
    Http.Response ok = rent(c, "{\"service_id\":\"" + service + "\",\"max_price\":0.55}", Map.of());
    assertThat(ok.status()).as(ok.text()).isEqualTo(201);
    assertThat(server.balance(c)).isEqualByComparingTo("0.45");
  }

  @Test
  void aCountryIsHonouredOrRefusedClearly() {
    Customer c = server.customer("5");
    Http.Response british =
        rent(c, "{\"service_id\":\"" + service + "\",\"country\":\"gb\"}", Map.of());
    assertThat(british.status()).as(british.text()).isEqualTo(201);
    assertThat(british.json().get("phone_number").asText()).startsWith("44");
    Http.Response french =
        rent(c, "{\"service_id\":\"" + service + "\",\"country\":\"FR\"}", Map.of());
    assertThat(french.status()).isEqualTo(409);
    assertThat(french.json().get("error").asText()).isEqualTo("no_numbers_available");
    for (String bad : new String[] {"XX", "USA", "", "1"}) {
      Http.Response r =
          rent(c, "{\"service_id\":\"" + service + "\",\"country\":\"" + bad + "\"}", Map.of());
      assertThat(r.status()).as(bad).isEqualTo(400);
    }
    assertThat(server.balance(c)).isEqualByComparingTo("4.45");

    // One key, two countries: the second is another request.
    Map<String, String> key = Map.of("Idempotency-Key", "wish-key-0001");
    assertThat(rent(c, "{\"service_id\":\"" + service + "\",\"country\":\"US\"}", key).status())
        .isEqualTo(201);
    assertThat(rent(c, "{\"service_id\":\"" + service + "\",\"country\":\"GB\"}", key).status())
        .isEqualTo(422);
  }

  @Test
  void servicesCanBeListedForOneCountry() {
    Customer c = server.customer("1");
    String other = server.service("Signal", "0.30", "simulator");
    JsonNode uk = server.http.get("/api/v1/services?country=GB", c.key()).json();
    JsonNode names = uk.get("services");
    assertThat(names.findValuesAsText("name")).contains(service).doesNotContain(other);
    for (JsonNode s : names) {
      assertThat(s.get("available").asLong()).isBetween(1L, 2L);
    }
    assertThat(server.http.get("/api/v1/services?country=FR", c.key()).json().get("total").asInt())
        .isZero();
    assertThat(server.http.get("/api/v1/services?country=GBR", c.key()).status()).isEqualTo(400);
  }
}
