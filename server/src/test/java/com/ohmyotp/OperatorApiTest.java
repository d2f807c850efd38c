package com.ohmyotp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.ohmyotp.support.Driver.Customer;
import com.ohmyotp.support.Http;
import com.ohmyotp.support.TestServer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The operator API, the gateway webhook, health and metrics. */
class OperatorApiTest {

  static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.start();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void accountsDepositsAndLedger() {
    Http.Response created =
        server.admin(
            "POST",
            "/api/admin/accounts",
            "{\"email\":\"Ops@Example.com\",\"password\":\"correct horse battery\",\"balance\":2.5}");
    assertThat(created.status()).isEqualTo(201);
    assertThat(created.json().get("email").asText()).isEqualTo("Ops@Example.com");
    String key = created.json().get("api_key").asText();
    long id = created.json().get("id").asLong();

    Http.Response deposit =
        server.admin(
            "POST",
            "/api/admin/accounts/" + id + "/deposits",
            "{\"amount\":7.25,\"note\":\"wire 42\"}");
    assertThat(deposit.status()).isEqualTo(201);
    assertThat(deposit.json().get("balance").toString()).isEqualTo("9.75");
    JsonNode balance = server.http.get("/api/v1/balance", key).json();
    assertThat(balance.get("balance").toString()).isEqualTo("9.75");
    assertThat(balance.get("transactions").get(0).get("type").asText()).isEqualTo("deposit");
    assertThat(balance.get("transactions").get(0).get("amount").toString()).isEqualTo("7.25");
    assertThat(balance.get("transactions").get(0).get("note").asText()).isEqualTo("wire 42");

    assertThat(
            server.admin("POST", "/api/admin/accounts", "{\"email\":\"ops@example.com\"}").status())
        .isEqualTo(409);
    assertThat(server.admin("POST", "/api/admin/accounts", "{\"email\":\"not-an-email\"}").status())
        .isEqualTo(400);
    assertThat(
            server.admin("POST", "/api/admin/accounts/999999/deposits", "{\"amount\":1}").status())
        .isEqualTo(404);
    String hash =
        server
            .app
            .database()
            .read(
                h ->
                    h.createQuery("SELECT password_hash FROM accounts WHERE id = :id")
                        .bind("id", id)
                        .mapTo(String.class)
                        .one());
    assertThat(hash).startsWith("$argon2id$").doesNotContain("correct horse");
    long plainKeys =
        server
            .app
            .database()
            .read(
                h ->
                    h.createQuery("SELECT COUNT(*) FROM api_keys WHERE key_hash = :k")
                        .bind("k", key)
                        .mapTo(Long.class)
                        .one());
    assertThat(plainKeys).isZero();
  }

  @Test
  void servicesCreateAndPatch() {
    Http.Response created =
        server.admin(
            "POST",
            "/api/admin/services",
            "{\"name\":\"Bolt\",\"category\":\"Transport\",\"price\":0.55,\"duration_seconds\":900,\"source\":\"gateway\"}");
    assertThat(created.status()).as(created.text()).isEqualTo(201);
    assertThat(created.json().get("id").asText()).startsWith("AppID-");
    assertThat(created.json().get("duration_seconds").asInt()).isEqualTo(900);
    String id = created.json().get("id").asText();

    assertThat(
            server
                .admin(
                    "POST",
                    "/api/admin/services",
                    "{\"name\":\"bolt\",\"category\":\"X\",\"price\":1}")
                .status())
        .isEqualTo(409);
    assertThat(
            server
                .admin(
                    "POST",
                    "/api/admin/services",
                    "{\"name\":\"Other\",\"category\":\"X\",\"price\":1,\"source\":\"nowhere\"}")
                .status())
        .isEqualTo(400);

    Customer c = server.customer("1");
    assertThat(listedPrice(c, "Bolt")).isEqualTo("0.55");
    Http.Response patched =
        server.admin("PATCH", "/api/admin/services/" + id, "{\"price\":0.6,\"enabled\":false}");
    assertThat(patched.status()).isEqualTo(200);
    assertThat(patched.json().get("price").toString()).isEqualTo("0.6");
    // The node that made a change lists it at once.
    assertThat(listedPrice(c, "Bolt")).isNull();
    assertThat(server.http.get("/api/v1/services/Bolt", c.key()).status()).isEqualTo(404);
    server.admin("PATCH", "/api/admin/services/Bolt", "{\"enabled\":true}");
    assertThat(listedPrice(c, "Bolt")).isEqualTo("0.6");
    JsonNode shown = server.http.get("/api/v1/services/Bolt", c.key()).json();
    assertThat(shown.get("price").toString()).isEqualTo("0.6");
    assertThat(shown.get("category").asText()).isEqualTo("Transport");
  }

  /** The price /services lists for a service, null when it is not listed. */
  private String listedPrice(Customer c, String name) {
    Http.Response list = server.http.get("/api/v1/services", c.key());
    assertThat(list.status()).isEqualTo(200);
    assertThat(list.header("Content-Type")).startsWith("application/json");
    for (JsonNode s : list.json().get("services")) {
      if (s.get("name").asText().equals(name)) {
        return s.get("price").toString();
      }
    }
    return null;
  }

  @Test
  void numberImportReportsDuplicatesAndInvalidRowsWithoutFailing() {
    Http.Response r =
        server.admin(
            "POST",
            "/api/admin/numbers",
            """
        {"source": "gateway", "numbers": [
          {"phone_number": "3025550100"},
          {"phone_number": "+1 (302) 555-0100"},
          {"phone_number": "12"},
          {"phone_number": "3125550199", "expires_at": 4102444800}
        ]}""");
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    assertThat(r.json().get("imported").asInt()).isEqualTo(2);
    assertThat(r.json().get("duplicates").asInt()).isEqualTo(1);
    assertThat(r.json().get("invalid").asInt()).isEqualTo(1);
    assertThat(r.json().get("results").get(1).get("status").asText()).isEqualTo("duplicate");
    assertThat(
            server
                .admin("POST", "/api/admin/numbers", "{\"source\":\"mars\",\"numbers\":[]}")
                .status())
        .isEqualTo(400);
    assertThat(server.admin("DELETE", "/api/admin/numbers/3125550199", null).status())
        .isEqualTo(204);
    assertThat(server.admin("DELETE", "/api/admin/numbers/3125550199", null).status())
        .isEqualTo(404);
  }

  @Test
  void gatewayWebhookChecksTheSignature() {
    String body =
        "{\"to\":\"3025550177\",\"from\":\"Uber\",\"text\":\"code 1234\",\"received_at\":1776619718}";
    Http.Response unsigned = server.http.send("POST", "/api/v1/inbound/sms", null, body, Map.of());
    assertThat(unsigned.status()).isEqualTo(401);
    assertThat(unsigned.json().get("error").asText()).isEqualTo("invalid_signature");
    Http.Response wrong =
        server.http.send(
            "POST",
            "/api/v1/inbound/sms",
            null,
            body,
            Map.of("X-Ohmyotp-Signature", "sha256=" + "0".repeat(64)));
    assertThat(wrong.status()).isEqualTo(401);

    Http.Response ok =
        server.http.send("POST", "/api/v1/inbound/sms", null, body, server.driver.signed(body));
    assertThat(ok.status()).isEqualTo(202);
    assertThat(ok.json().get("status").asText()).isEqualTo("accepted");
    assertThat(ok.json().get("rental_id").isNull()).isTrue();
    JsonNode unmatched =
        server
            .admin("GET", "/api/admin/sms/unmatched?limit=10", null)
            .json()
            .get("messages")
            .get(0);
    assertThat(unmatched.get("message").asText()).isEqualTo("code 1234");
    assertThat(unmatched.get("received_at").asLong()).isEqualTo(1776619718L);

    String missing = "{\"to\":\"3025550177\",\"from\":\"Uber\"}";
    assertThat(
            server
                .http
                .send("POST", "/api/v1/inbound/sms", null, missing, server.driver.signed(missing))
                .status())
        .isEqualTo(400);
  }

  @Test
  void healthReadinessMetricsAndStats() {
    assertThat(server.http.get("/healthz", null).json().get("status").asText()).isEqualTo("ok");
    assertThat(server.http.get("/readyz", null).json().get("status").asText()).isEqualTo("ready");
    Http.Response metrics = server.http.get("/metrics", null);
    assertThat(metrics.status()).isEqualTo(200);
    assertThat(metrics.text())
        .contains("http_server_requests_seconds_count", "hikaricp_connections");
    // Each route under its own template, with the buckets of a histogram.
    assertThat(metrics.text())
        .contains(
            "http_server_requests_seconds_count{method=\"GET\",route=\"/healthz\",status=\"200\"}",
            "http_server_requests_seconds_bucket{method=\"GET\",route=\"/readyz\",status=\"200\",le=\"0.001\"}");
    server.http.get("/no-such-page", null);
    assertThat(server.http.get("/metrics", null).text())
        .contains(
            "http_server_requests_seconds_count{method=\"GET\",route=\"unmatched\",status=\"404\"}");
    Http.Response stats = server.admin("GET", "/api/admin/stats", null);
    assertThat(stats.status()).isEqualTo(200);
    assertThat(stats.json().has("rentals_holding_numbers")).isTrue();
    assertThat(stats.json().get("balances_total").isNumber())
        .as("every amount is a JSON number: " + stats.text())
        .isTrue();
  }

  @Test
  void metricsAskForTheirTokenWhenTheOperatorSetsOne() {
    try (TestServer guarded = TestServer.start(Map.of("OHMYOTP_METRICS_TOKEN", "m3tr1cs-t0ken"))) {
      Http.Response open = guarded.http.get("/metrics", null);
      assertThat(open.status()).isEqualTo(401);
      assertThat(open.json().get("error").asText()).isEqualTo("unauthorized");
      assertThat(guarded.http.get("/metrics", "not-the-token").status()).isEqualTo(401);
      Http.Response scraped = guarded.http.get("/metrics", "m3tr1cs-t0ken");
      assertThat(scraped.status()).isEqualTo(200);
      assertThat(scraped.text()).contains("http_server_requests_seconds_count");
      // Health stays open: load balancers ask without a token.
      assertThat(guarded.http.get("/healthz", null).status()).isEqualTo(200);
    }
  }

  @Test
  void anAddressThatLooksLikeAnotherAccountsIsRefused() {
    String local = "lookalike" + System.nanoTime();
    Http.Response first =
        server.admin("POST", "/api/admin/accounts", "{\"email\":\"" + local + "@example.com\"}");
    assertThat(first.status()).as(first.text()).isEqualTo(201);
    for (String same :
        List.of(
            local.toUpperCase(java.util.Locale.ROOT) + "@Example.com.",
            local.replace("o", "\u043e") + "@example.com",
            local.substring(0, 3) + "\u200b" + local.substring(3) + "@example.com")) {
      Http.Response again =
          server.admin("POST", "/api/admin/accounts", "{\"email\":" + TestServer.quote(same) + "}");
      assertThat(again.status()).as(same + ": " + again.text()).isEqualTo(409);
      assertThat(again.json().get("error").asText()).isEqualTo("email_taken");
    }
  }
}
