package com.ohmyotp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.ohmyotp.support.Driver.Customer;
import com.ohmyotp.support.Http;
import com.ohmyotp.support.TestServer;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every error status of DESIGN.md, and hostile input that must change nothing. */
class ErrorsAndBadInputTest {

  static TestServer server;
  static String service;
  static Customer customer;

  @BeforeAll
  static void start() {
    server = TestServer.start();
    service = server.service("Uber", "0.4", "gateway");
    server.numbers("gateway", 20);
    customer = server.customer("10");
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static void assertError(Http.Response r, int status, String error) {
    assertThat(r.status()).as(r.text()).isEqualTo(status);
    JsonNode body = r.json();
    assertThat(body.get("error").asText()).isEqualTo(error);
    assertThat(body.get("message").asText()).isNotBlank();
    List<String> names = new ArrayList<>();
    body.fieldNames().forEachRemaining(names::add);
    assertThat(names).containsExactly("error", "message");
    assertThat(r.header("X-Request-Id")).isNotBlank();
  }

  private void assertNothingChanged() {
    assertThat(server.balance(customer)).isEqualByComparingTo("10");
    long rentals =
        server
            .app
            .database()
            .read(
                h ->
                    h.createQuery("SELECT COUNT(*) FROM rentals WHERE account_id = :a")
                        .bind("a", customer.id())
                        .mapTo(Long.class)
                        .one());
    assertThat(rentals).isZero();
  }

  @Test
  void unauthorizedCarriesWwwAuthenticate() {
    Http.Response none = server.http.get("/api/v1/balance", null);
    assertError(none, 401, "missing_api_key");
    assertThat(none.header("WWW-Authenticate")).isEqualTo("Bearer");
    assertError(server.http.get("/api/v1/balance", "omo_live_notarealkey"), 401, "invalid_api_key");
    assertError(
        server.http.get("/api/v1/balance", "omo_live_" + "A".repeat(40)), 401, "invalid_api_key");
    assertError(server.http.get("/api/v1/balance", TestServer.ADMIN_TOKEN), 401, "invalid_api_key");
    assertError(
        server.http.send(
            "GET", "/api/v1/balance", null, null, Map.of("Authorization", "Basic abc")),
        401,
        "invalid_api_key");
    assertError(
        server.http.send("GET", "/api/admin/stats", customer.key(), null, Map.of()),
        401,
        "invalid_admin_token");
  }

  @Test
  void revokedKeyIsRefusedAtOnce() {
    Customer c = server.customer("1");
    Http.Response created =
        server.admin("POST", "/api/admin/accounts/" + c.id() + "/api-keys", "{\"name\":\"ci\"}");
    assertThat(created.status()).isEqualTo(201);
    String key = created.json().get("api_key").asText();
    assertThat(key).startsWith("omo_live_").hasSize(49);
    assertThat(server.http.get("/api/v1/user/me", key).status()).isEqualTo(200);
    assertThat(
            server
                .admin("DELETE", "/api/admin/api-keys/" + created.json().get("id").asLong(), null)
                .status())
        .isEqualTo(204);
    assertError(server.http.get("/api/v1/user/me", key), 401, "invalid_api_key");
    assertThat(server.http.get("/api/v1/user/me", c.key()).status()).isEqualTo(200);
  }

  @Test
  void paymentRequiredForbiddenNotFoundConflictUnprocessable() {
    Customer poor = server.customer("0.39");
    Http.Response refused =
        server.http.post("/api/v1/rentals", poor.key(), "{\"service_id\":\"" + service + "\"}");
    assertError(refused, 402, "insufficient_balance");
    assertThat(refused.json().get("message").asText())
        .isEqualTo("Your balance is 0.39 and this rental costs 0.40: add at least 0.01.");
    assertThat(server.balance(poor)).isEqualByComparingTo("0.39");

    Customer owner = server.customer("1");
    String id = server.rent(owner, service).get("id").asText();
    assertError(server.http.get("/api/v1/rentals/" + id, customer.key()), 403, "not_owner");
    assertError(
        server.http.get("/api/v1/rentals/" + id + "/code", customer.key()), 403, "not_owner");
    assertError(
        server.http.post("/api/v1/rentals/" + id + "/cancel", customer.key(), null),
        403,
        "not_owner");
    assertError(
        server.http.get("/api/v1/rentals/00000000-0000-4000-8000-000000000000", customer.key()),
        404,
        "rental_not_found");
    assertError(
        server.http.get("/api/v1/services/NoSuchService", customer.key()),
        404,
        "service_not_found");
    assertError(
        server.http.post("/api/v1/rentals", customer.key(), "{\"service_id\":\"NoSuchService\"}"),
        404,
        "service_not_found");

    JsonNode earlier = server.rent(owner, service);
    server.http.post(
        "/api/v1/rentals/" + earlier.get("id").asText() + "/cancel", owner.key(), null);
    String body =
        "{\"service_id\":\""
            + service
            + "\",\"phone_number\":\""
            + earlier.get("phone_number").asText()
            + "\"}";
    assertThat(
            server
                .http
                .post("/api/v1/rentals/rerent?idempotency_key=key-for-422-test", owner.key(), body)
                .status())
        .isEqualTo(201);
    assertError(
        server.http.post(
            "/api/v1/rentals/rerent?idempotency_key=key-for-422-test",
            owner.key(),
            "{\"service_id\":\"" + service + "\",\"phone_number\":\"2125550199\"}"),
        422,
        "idempotency_key_reused");
    assertError(
        server.http.post("/api/v1/rentals/rerent?idempotency_key=short", owner.key(), body),
        400,
        "invalid_idempotency_key");
    assertError(
        server.http.post("/api/v1/rentals/rerent", owner.key(), body),
        400,
        "missing_idempotency_key");
    assertThat(server.balance(owner)).isEqualByComparingTo("0.2");
    assertNothingChanged();
  }

  @Test
  void noNumbersAvailableIs409() {
    String empty = server.service("Airbnb", "0.45", "simulator");
    assertError(
        server.http.post("/api/v1/rentals", customer.key(), "{\"service_id\":\"" + empty + "\"}"),
        409,
        "no_numbers_available");
    assertNothingChanged();
  }

  @Test
  void rateLimitAnswers429WithRetryAfterAndRateLimitHeaders() {
    try (TestServer limited =
        TestServer.start(
            Map.of("OHMYOTP_RATE_LIMIT_PER_SECOND", "1", "OHMYOTP_RATE_LIMIT_BURST", "3"))) {
      Customer c = limited.customer("1");
      List<Http.Response> answers = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        answers.add(limited.http.get("/api/v1/user/me", c.key()));
      }
      assertThat(answers.get(0).header("RateLimit-Policy")).isEqualTo("\"per-key\";q=1;w=1");
      assertThat(answers.get(0).header("RateLimit")).startsWith("\"per-key\";r=2;");
      Http.Response limitedAnswer = answers.get(5);
      assertError(limitedAnswer, 429, "rate_limited");
      assertThat(Integer.parseInt(limitedAnswer.header("Retry-After"))).isBetween(1, 2);
      assertThat(limitedAnswer.header("RateLimit")).startsWith("\"per-key\";r=0;");
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{bad json",
        "[]",
        "null",
        "\"Uber\"",
        "42",
        "{\"service_id\":3}",
        "{\"service_id\":true}",
        "{\"service_id\":[\"Uber\"]}",
        "{\"service_id\":{\"name\":\"Uber\"}}",
        "{\"service_id\":null}",
        "{}",
        "{\"service_id\":\"Uber\",\"extra\":1}",
        "{\"service_id\":\"\"}",
        "{\"service_id\":\"Uber\"} trailing",
        "{\"service_id\":\"\\u0000Uber\"}",
        "{\"service_id\":\"Ub\\u0000er\"}",
        "{\"service_id\":\"Убер 🚗\"}",
        "{\"service_id\":\"' OR 1=1 --\"}",
        "{\"service_id\":\"../../etc/passwd\"}",
        "{\"service_id\":NaN}",
        "{\"service_id\":1e999999}",
      })
  void badRentBodiesGet4xxAndChangeNothing(String body) {
    Http.Response r = server.http.post("/api/v1/rentals", customer.key(), body);
    assertThat(r.status()).as(body + " -> " + r.text()).isBetween(400, 499);
    assertThat(r.json().get("error").asText()).isNotBlank();
    assertNothingChanged();
  }

  @Test
  void deeplyNestedAndHugeBodiesAreRefused() {
    String deep = "{\"service_id\":" + "[".repeat(5000) + "]".repeat(5000) + "}";
    assertThat(server.http.post("/api/v1/rentals", customer.key(), deep).status()).isEqualTo(400);

    byte[] tenMegabytes = new byte[10 * 1024 * 1024];
    Arrays.fill(tenMegabytes, (byte) 'a');
    Http.Response huge =
        server.http.sendBytes("POST", "/api/v1/rentals", customer.key(), tenMegabytes, Map.of());
    assertError(huge, 413, "request_too_large");
    assertNothingChanged();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "limit=0",
        "limit=-1",
        "limit=abc",
        "limit=1.5",
        "page=0",
        "page=-3",
        "page=x",
        "status=bogus",
        "status=ACTIVE",
        "used=yes",
        "limit=",
        "page="
      })
  void badHistoryQueriesAre400(String query) {
    assertError(
        server.http.get("/api/v1/rentals/history?" + query, customer.key()), 400, "invalid_query");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/api/v1/services/Ub%00er",
        "/api/v1/rentals/%00",
        "/api/v1/rentals/history?status=%00",
        "/api/v1/rentals/abc%00def/code"
      })
  void nulCharactersInTheUrlAre400(String path) {
    assertError(server.http.get(path, customer.key()), 400, "bad_request");
  }

  @Test
  void nulCharactersInTheBodyAre400AndKeepNothing() {
    assertError(
        server.inboundSms("+12125550100", "Uber\u0000", "Your code is 1234"), 400, "invalid_field");
    assertError(
        server.admin(
            "POST",
            "/api/admin/services",
            "{\"name\":\"Nul\\u0000\",\"category\":\"Test\",\"price\":1,\"source\":\"simulator\"}"),
        400,
        "invalid_field");
    assertNothingChanged();
  }

  @Test
  void limitAbove200IsClamped() {
    JsonNode page =
        server.http.get("/api/v1/rentals/history?limit=5000&page=3", customer.key()).json();
    assertThat(page.get("limit").asInt()).isEqualTo(200);
    assertThat(page.get("page").asInt()).isEqualTo(3);
    assertThat(page.get("rentals")).isEmpty();
  }

  @Test
  void hugePagesArePagesPastTheEndAndOneParserReadsPageAndLimit() {
    for (String page : List.of("1000000000", "99999999999", "99999999999999999999999")) {
      Http.Response r =
          server.http.get("/api/v1/rentals/history?limit=5&page=" + page, customer.key());
      assertThat(r.status()).as(page).isEqualTo(200);
      assertThat(r.json().get("rentals")).as(page).isEmpty();
    }
    JsonNode signed =
        server.http.get("/api/v1/rentals/history?limit=%2B5&page=%2B2", customer.key()).json();
    assertThat(signed.get("limit").asInt()).isEqualTo(5);
    assertThat(signed.get("page").asInt()).isEqualTo(2);
  }

  @Test
  void aMalformedIdempotencyKeyIs400WhetherOrNotTheServiceExists() {
    for (String name : List.of("NoSuchService", service)) {
      Http.Response r =
          server.http.send(
              "POST",
              "/api/v1/rentals",
              customer.key(),
              "{\"service_id\":\"" + name + "\"}",
              Map.of("Idempotency-Key", "short"));
      assertError(r, 400, "invalid_idempotency_key");
    }
    assertNothingChanged();
  }

  @Test
  void aFormInsteadOfJsonIsToldToSendJson() {
    Http.Response r =
        server.http.send(
            "POST",
            "/api/v1/rentals",
            customer.key(),
            "service_id=" + service,
            Map.of("Content-Type", "application/x-www-form-urlencoded"));
    assertError(r, 400, "invalid_json");
    assertThat(r.json().get("message").asText()).contains("Content-Type: application/json");
    assertNothingChanged();
  }

  @Test
  void unmatchedSmsCursorIsARowIdNamedBefore() {
    Http.Response far = server.admin("GET", "/api/admin/sms/unmatched?before=12345678901", null);
    assertThat(far.status()).isEqualTo(200);
    assertThat(far.json().has("messages")).isTrue();
    Http.Response bad = server.admin("GET", "/api/admin/sms/unmatched?before=x", null);
    assertError(bad, 400, "invalid_query");
    assertThat(bad.json().get("message").asText())
        .isEqualTo("'before' must be a whole number of at least 1.");
  }

  @Test
  void rerentCheckTakesAtMost100Phones() {
    StringBuilder phones = new StringBuilder();
    for (int i = 0; i < 101; i++) {
      phones
          .append(i == 0 ? "" : ",")
          .append("\"21255501")
          .append(String.format("%02d", i % 100))
          .append('"');
    }
    String body = "{\"service_id\":\"" + service + "\",\"phone_numbers\":[" + phones + "]}";
    assertError(
        server.http.post("/api/v1/rentals/rerent/check", customer.key(), body),
        400,
        "too_many_phone_numbers");
    String hundred = body.replaceFirst("\"2125550100\",", "");
    assertThat(
            server
                .http
                .post("/api/v1/rentals/rerent/check", customer.key(), hundred)
                .json()
                .get("results"))
        .hasSize(100);
    assertError(
        server.http.post(
            "/api/v1/rentals/rerent/check",
            customer.key(),
            "{\"service_id\":\"" + service + "\",\"phone_numbers\":[1,2]}"),
        400,
        "invalid_field");
  }

  @Test
  void unknownPathsAndMethodsUseTheErrorBody() {
    assertError(server.http.get("/api/v1/nothing-here", customer.key()), 404, "not_found");
    Http.Response notAllowed =
        server.http.send("DELETE", "/api/v1/services", customer.key(), null, Map.of());
    assertError(notAllowed, 405, "method_not_allowed");
    assertThat(notAllowed.header("Allow")).isEqualTo("GET");
    assertThat(
            server
                .http
                .send("PUT", "/api/v1/rentals/x/cancel", customer.key(), null, Map.of())
                .header("Allow"))
        .isEqualTo("POST");
  }

  @Test
  void clientRequestIdsAreEchoedAndBadOnesReplaced() {
    Http.Response echoed =
        server.http.send("GET", "/healthz", null, null, Map.of("X-Request-Id", "abc-123"));
    assertThat(echoed.header("X-Request-Id")).isEqualTo("abc-123");
    Http.Response replaced =
        server.http.send("GET", "/healthz", null, null, Map.of("X-Request-Id", "<script>"));
    assertThat(replaced.header("X-Request-Id")).matches("[0-9a-f-]{36}");
  }

  @Test
  void moneyInputsAreValidated() {
    Customer c = server.customer("1");
    for (String amount : List.of("0", "-5", "0.00001", "\"10\"", "1e12", "NaN")) {
      Http.Response r =
          server.admin(
              "POST", "/api/admin/accounts/" + c.id() + "/deposits", "{\"amount\":" + amount + "}");
      assertThat(r.status()).as(amount + " -> " + r.text()).isEqualTo(400);
    }
    Http.Response tooPrecise =
        server.admin("POST", "/api/admin/accounts/" + c.id() + "/deposits", "{\"amount\":0.00001}");
    assertThat(tooPrecise.json().get("error").asText()).isEqualTo("invalid_amount");
    assertThat(tooPrecise.json().get("message").asText())
        .isEqualTo("Field 'amount' has more than 4 decimal places.");
    assertThat(server.balance(c)).isEqualByComparingTo(BigDecimal.ONE);
  }

  @Test
  void aKeyTwiceInABodyIsRefusedEverywhere() {
    Customer c = server.customer("1");
    Http.Response deposit =
        server.admin(
            "POST",
            "/api/admin/accounts/" + c.id() + "/deposits",
            "{\"amount\":1,\"amount\":1000}");
    assertThat(deposit.status()).isEqualTo(400);
    assertThat(deposit.json().get("error").asText()).isEqualTo("duplicate_field");
    assertThat(deposit.json().get("message").asText())
        .isEqualTo("Field 'amount' appears twice in the request body.");
    assertThat(server.balance(c)).isEqualByComparingTo(BigDecimal.ONE);

    Http.Response rent =
        server.http.send(
            "POST",
            "/api/v1/rentals",
            c.key(),
            "{\"service_id\":\"Uber\",\"service_id\":\"Lyft\"}",
            Map.of());
    assertThat(rent.status()).isEqualTo(400);
    assertThat(rent.json().get("error").asText()).isEqualTo("duplicate_field");
    assertThat(server.balance(c)).isEqualByComparingTo(BigDecimal.ONE);
  }
}
