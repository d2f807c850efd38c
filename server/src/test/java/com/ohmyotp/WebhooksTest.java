package com.ohmyotp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.ohmyotp.support.Driver.Customer;
import com.ohmyotp.support.Http;
import com.ohmyotp.support.TestServer;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Webhooks end to end: an account registers an endpoint on a receiver in the test (allowed with
 * {@code OHMYOTP_WEBHOOK_ALLOW_HOSTS=127.0.0.1}), and each event arrives signed as Standard
 * Webhooks sign, checked here by a verifier written from the specification; retries, 410, the
 * delivery log, a test event, replay, rotation, and the URL rules.
 */
class WebhooksTest {

  static TestServer server;
  static String service;
  static HttpServer receiver;
  static String hook;
  static final ObjectMapper json = new ObjectMapper();
  static final Map<String, BlockingQueue<Received>> received = new ConcurrentHashMap<>();
  static final Map<String, List<Integer>> answers = new ConcurrentHashMap<>();

  record Received(Map<String, String> headers, String body) {}

  @BeforeAll
  static void start() throws Exception {
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 100);
    receiver.createContext(
        "/",
        exchange -> {
          String path = exchange.getRequestURI().getPath();
          Map<String, String> headers = new ConcurrentHashMap<>();
          exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(), v.get(0)));
          String body =
              new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
          received
              .computeIfAbsent(path, p -> new LinkedBlockingQueue<>())
              .add(new Received(headers, body));
          List<Integer> planned = answers.getOrDefault(path, List.of());
          int status;
          synchronized (planned) {
            status = planned.isEmpty() ? 200 : planned.removeFirst();
          }
          if (status == 302) {
            exchange.getResponseHeaders().add("Location", hook + path + "/moved");
          }
          if (status == 429) {
            exchange.getResponseHeaders().add("Retry-After", "120");
          }
          exchange.sendResponseHeaders(status, -1);
          exchange.close();
        });
    receiver.start();
    hook = "http://127.0.0.1:" + receiver.getAddress().getPort();
    server = TestServer.start(Map.of("OHMYOTP_WEBHOOK_ALLOW_HOSTS", "127.0.0.1"));
    service = server.service("Hooks", "0.50", "gateway");
    server.numbers("gateway", 40);
  }

  @AfterAll
  static void stop() {
    server.close();
    receiver.stop(0);
  }

  static JsonNode register(Customer c, String path, String... events) {
    Http.Response r =
        server.http.post(
            "/api/v1/webhooks",
            c.key(),
            "{\"url\":\"" + hook + path + "\",\"events\":" + array(events) + "}");
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    return r.json();
  }

  static String array(String... items) {
    return "["
        + String.join(",", java.util.Arrays.stream(items).map(i -> "\"" + i + "\"").toList())
        + "]";
  }

  static Received next(String path) throws InterruptedException {
    Received r =
        received.computeIfAbsent(path, p -> new LinkedBlockingQueue<>()).poll(10, TimeUnit.SECONDS);
    assertThat(r).as("a delivery to " + path).isNotNull();
    return r;
  }

  /** Standard Webhooks verification, from the specification: any one signature may match. */
  static boolean verifies(Received r, String secret) throws Exception {
    String id = r.headers().get("webhook-id");
    String timestamp = r.headers().get("webhook-timestamp");
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(
        new SecretKeySpec(
            Base64.getDecoder().decode(secret.substring("whsec_".length())), "HmacSHA256"));
    byte[] expected =
        mac.doFinal((id + "." + timestamp + "." + r.body()).getBytes(StandardCharsets.UTF_8));
    for (String candidate : r.headers().get("webhook-signature").split(" ")) {
      String[] parts = candidate.split(",", 2);
      if (parts[0].equals("v1")
          && MessageDigest.isEqual(Base64.getDecoder().decode(parts[1]), expected)) {
        return true;
      }
    }
    return false;
  }

  static JsonNode deliveries(Customer c, String webhookId) {
    Http.Response r = server.http.get("/api/v1/webhooks/" + webhookId + "/deliveries", c.key());
    assertThat(r.status()).isEqualTo(200);
    return r.json().get("deliveries");
  }

  @Test
  void anSmsArrivesSignedWithEverythingTheCustomerNeedsAndTheSecretIsShownOnce() throws Exception {
    Customer c = server.customer("5");
    JsonNode made = register(c, "/sms", "sms.received", "rental.completed");
    String secret = made.get("secret").asText();
    assertThat(secret).startsWith("whsec_");
    assertThat(Base64.getDecoder().decode(secret.substring(6))).hasSize(32);
    assertThat(made.get("events")).hasSize(2);
    assertThat(made.get("enabled").asBoolean()).isTrue();
    JsonNode listed = server.http.get("/api/v1/webhooks", c.key()).json().get("webhooks");
    assertThat(listed).hasSize(1);
    assertThat(listed.get(0).has("secret")).isFalse();
    assertThat(listed.get(0).get("url").asText()).isEqualTo(hook + "/sms");

    JsonNode rental = server.rent(c, service);
    String phone = rental.get("phone_number").asText();
    assertThat(server.inboundSms(phone, "Uber", "Your Uber code is 4821").status()).isEqualTo(202);
    // Sent at once, they may arrive in either order.
    Received first = next("/sms");
    Received second = next("/sms");
    boolean smsFirst = json.readTree(first.body()).get("type").asText().equals("sms.received");
    Received sms = smsFirst ? first : second;
    Received completed = smsFirst ? second : first;
    for (Received r : List.of(sms, completed)) {
      assertThat(r.headers().get("content-type")).startsWith("application/json");
      assertThat(r.headers().get("webhook-id")).startsWith("msg_");
      assertThat(Long.parseLong(r.headers().get("webhook-timestamp")))
          .isEqualTo(server.clock.epochSecond());
      assertThat(verifies(r, secret)).isTrue();
      assertThat(verifies(r, "whsec_" + Base64.getEncoder().encodeToString(new byte[32])))
          .isFalse();
    }
    JsonNode body = json.readTree(sms.body());
    assertThat(body.get("type").asText()).isEqualTo("sms.received");
    assertThat(body.get("timestamp").asText()).isEqualTo(server.clock.instant().toString());
    JsonNode data = body.get("data");
    assertThat(data.get("rental_id").asText()).isEqualTo(rental.get("id").asText());
    assertThat(data.get("activation_id").asLong()).isEqualTo(rental.get("activation_id").asLong());
    assertThat(data.get("phone_number").asText()).isEqualTo(phone);
    assertThat(data.get("sender").asText()).isEqualTo("Uber");
    assertThat(data.get("message").asText()).isEqualTo("Your Uber code is 4821");
    assertThat(data.get("code").asText()).isEqualTo("4821");
    assertThat(data.get("received_at").asLong()).isEqualTo(server.clock.epochSecond());
    JsonNode done = json.readTree(completed.body());
    assertThat(done.get("type").asText()).isEqualTo("rental.completed");
    assertThat(done.get("data").get("status").asText()).isEqualTo("completed");

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              JsonNode log = deliveries(c, made.get("id").asText());
              assertThat(log).hasSize(2);
              for (JsonNode d : log) {
                assertThat(d.get("state").asText()).isEqualTo("delivered");
                assertThat(d.get("attempts").asInt()).isEqualTo(1);
                assertThat(d.get("last_status").asInt()).isEqualTo(200);
              }
            });
  }

  @Test
  void aFailedAttemptIsRetriedOnTheScheduleAndA410DisablesTheEndpoint() throws Exception {
    Customer c = server.customer("5");
    JsonNode flaky = register(c, "/flaky", "rental.cancelled");
    answers.put("/flaky", new ArrayList<>(List.of(500)));
    String rental = server.rent(c, service).get("id").asText();
    assertThat(server.http.post("/api/v1/rentals/" + rental + "/cancel", c.key(), null).status())
        .isEqualTo(200);
    Received first = next("/flaky");
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              JsonNode d = deliveries(c, flaky.get("id").asText()).get(0);
              assertThat(d.get("state").asText()).isEqualTo("pending");
              assertThat(d.get("attempts").asInt()).isEqualTo(1);
              assertThat(d.get("last_status").asInt()).isEqualTo(500);
              // 5 s, give or take a tenth.
              assertThat(d.get("next_attempt_at").asLong() - server.clock.epochSecond())
                  .isBetween(4L, 6L);
            });
    server.clock.advance(Duration.ofSeconds(6));
    Received second = next("/flaky");
    assertThat(second.headers().get("webhook-id")).isEqualTo(first.headers().get("webhook-id"));
    assertThat(second.body()).isEqualTo(first.body());
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              JsonNode d = deliveries(c, flaky.get("id").asText()).get(0);
              assertThat(d.get("state").asText()).isEqualTo("delivered");
              assertThat(d.get("attempts").asInt()).isEqualTo(2);
            });

    JsonNode gone = register(c, "/gone", "rental.cancelled");
    answers.put("/gone", new ArrayList<>(List.of(410)));
    String another = server.rent(c, service).get("id").asText();
    server.http.post("/api/v1/rentals/" + another + "/cancel", c.key(), null);
    next("/gone");
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              JsonNode endpoint =
                  server.http.get("/api/v1/webhooks/" + gone.get("id").asText(), c.key()).json();
              assertThat(endpoint.get("enabled").asBoolean()).isFalse();
              assertThat(endpoint.get("disabled_reason").asText()).contains("410");
            });
    JsonNode failed = deliveries(c, gone.get("id").asText()).get(0);
    assertThat(failed.get("state").asText()).isEqualTo("failed");

    // Enabled again, the failed delivery is replayed and arrives.
    assertThat(
            server
                .http
                .post("/api/v1/webhooks/" + gone.get("id").asText() + "/enable", c.key(), null)
                .json()
                .get("enabled")
                .asBoolean())
        .isTrue();
    Http.Response replay =
        server.http.post(
            "/api/v1/webhooks/"
                + gone.get("id").asText()
                + "/deliveries/"
                + failed.get("id").asLong()
                + "/replay",
            c.key(),
            null);
    assertThat(replay.status()).isEqualTo(202);
    next("/gone");
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(deliveries(c, gone.get("id").asText()).get(0).get("state").asText())
                    .isEqualTo("delivered"));
    Http.Response again =
        server.http.post(
            "/api/v1/webhooks/"
                + gone.get("id").asText()
                + "/deliveries/"
                + failed.get("id").asLong()
                + "/replay",
            c.key(),
            null);
    assertThat(again.status()).isEqualTo(409);
    assertThat(again.json().get("error").asText()).isEqualTo("delivery_not_failed");
  }

  @Test
  void aTestEventArrivesAndARotatedSecretSignsBesideTheOldOneForADay() throws Exception {
    Customer c = server.customer("5");
    JsonNode made = register(c, "/rotate", "sms.received");
    String id = made.get("id").asText();
    String old = made.get("secret").asText();
    Http.Response rotated = server.http.post("/api/v1/webhooks/" + id + "/rotate", c.key(), null);
    assertThat(rotated.status()).isEqualTo(200);
    String fresh = rotated.json().get("secret").asText();
    assertThat(fresh).startsWith("whsec_").isNotEqualTo(old);
    assertThat(server.http.post("/api/v1/webhooks/" + id + "/test", c.key(), null).status())
        .isEqualTo(202);
    Received test = next("/rotate");
    assertThat(json.readTree(test.body()).get("type").asText()).isEqualTo("webhook.test");
    assertThat(test.headers().get("webhook-signature").split(" ")).hasSize(2);
    assertThat(verifies(test, fresh)).isTrue();
    assertThat(verifies(test, old)).isTrue();

    server.clock.advance(Duration.ofHours(25));
    server.http.post("/api/v1/webhooks/" + id + "/test", c.key(), null);
    Received later = next("/rotate");
    assertThat(later.headers().get("webhook-signature").split(" ")).hasSize(1);
    assertThat(verifies(later, fresh)).isTrue();
    assertThat(verifies(later, old)).isFalse();
  }

  @Test
  void aChargeThatTakesTheBalanceBelowTheLineSendsBalanceLowOnce() throws Exception {
    Customer c = server.customer("1.60");
    register(c, "/balance", "balance.low");
    server.rent(c, service); // 1.10 left: not below 1.00
    server.rent(c, service); // 0.60: below
    server.rent(c, service); // 0.10: below already
    Received low = next("/balance");
    JsonNode body = json.readTree(low.body());
    assertThat(body.get("type").asText()).isEqualTo("balance.low");
    assertThat(body.get("data").get("balance").decimalValue()).isEqualByComparingTo("0.60");
    assertThat(body.get("data").get("threshold").decimalValue()).isEqualByComparingTo("1.00");
    assertThat(received.get("/balance").poll(500, TimeUnit.MILLISECONDS)).isNull();
  }

  @Test
  void aRedirectIsNotFollowedAndRetryAfterIsHonoured() throws Exception {
    Customer c = server.customer("5");
    JsonNode moved = register(c, "/redirect", "sms.received");
    answers.put("/redirect", new ArrayList<>(List.of(302)));
    server.http.post("/api/v1/webhooks/" + moved.get("id").asText() + "/test", c.key(), null);
    next("/redirect");
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              JsonNode d = deliveries(c, moved.get("id").asText()).get(0);
              assertThat(d.get("state").asText()).isEqualTo("pending");
              assertThat(d.get("last_status").asInt()).isEqualTo(302);
            });
    assertThat(
            received
                .computeIfAbsent("/redirect/moved", p -> new LinkedBlockingQueue<>())
                .poll(500, TimeUnit.MILLISECONDS))
        .as("the redirect is not followed")
        .isNull();

    JsonNode busy = register(c, "/busy", "sms.received");
    answers.put("/busy", new ArrayList<>(List.of(429)));
    server.http.post("/api/v1/webhooks/" + busy.get("id").asText() + "/test", c.key(), null);
    next("/busy");
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              JsonNode d = deliveries(c, busy.get("id").asText()).get(0);
              assertThat(d.get("last_status").asInt()).isEqualTo(429);
              // Retry-After: 120 rather than the schedule's 5 s.
              assertThat(d.get("next_attempt_at").asLong() - server.clock.epochSecond())
                  .isBetween(119L, 121L);
            });
  }

  @Test
  void aUrlThatBreaksTheRulesIsRefusedNamingTheRuleAndNothingIsRegistered() {
    Customer c = server.customer("5");
    Map<String, String> refused =
        Map.of(
            "http://example.com/hook", "webhook_url_not_https",
            "https://10.1.2.3/hook", "webhook_url_forbidden_address",
            "https://169.254.169.254/latest/meta-data", "webhook_url_forbidden_address",
            "https://[::1]/hook", "webhook_url_forbidden_address",
            "https://localhost/hook", "webhook_url_forbidden_address",
            "https://192.168.0.10/hook", "webhook_url_forbidden_address",
            "https://user:pw@example.com/hook", "webhook_url_has_credentials");
    refused.forEach(
        (url, error) -> {
          Http.Response r =
              server.http.post(
                  "/api/v1/webhooks",
                  c.key(),
                  "{\"url\":\"" + url + "\",\"events\":[\"sms.received\"]}");
          assertThat(r.status()).as(url).isEqualTo(422);
          assertThat(r.json().get("error").asText()).as(url).isEqualTo(error);
        });
    Http.Response unknown =
        server.http.post(
            "/api/v1/webhooks",
            c.key(),
            "{\"url\":\"https://example.com/h\",\"events\":[\"sms.sent\"]}");
    assertThat(unknown.status()).isEqualTo(400);
    assertThat(unknown.json().get("error").asText()).isEqualTo("invalid_field");
    Http.Response none =
        server.http.post("/api/v1/webhooks", c.key(), "{\"url\":\"https://example.com/h\"}");
    assertThat(none.status()).isEqualTo(400);
    assertThat(server.http.get("/api/v1/webhooks", c.key()).json().get("webhooks")).isEmpty();
    assertThat(server.http.get("/api/v1/webhooks/nope/deliveries", c.key()).status())
        .isEqualTo(404);
  }

  @Test
  void anEndpointIsTheAccountsOwnAndDeletingItStopsItsDeliveries() throws Exception {
    Customer c = server.customer("5");
    Customer other = server.customer("5");
    JsonNode made = register(c, "/deleted", "rental.cancelled");
    String id = made.get("id").asText();
    assertThat(server.http.get("/api/v1/webhooks/" + id, other.key()).status()).isEqualTo(404);
    assertThat(
            server
                .http
                .send("DELETE", "/api/v1/webhooks/" + id, other.key(), null, Map.of())
                .status())
        .isEqualTo(404);
    Http.Response deleted =
        server.http.send("DELETE", "/api/v1/webhooks/" + id, c.key(), null, Map.of());
    assertThat(deleted.status()).isEqualTo(200);
    assertThat(server.http.get("/api/v1/webhooks/" + id, c.key()).status()).isEqualTo(404);
    String rental = server.rent(c, service).get("id").asText();
    server.http.post("/api/v1/rentals/" + rental + "/cancel", c.key(), null);
    assertThat(
            received
                .computeIfAbsent("/deleted", p -> new LinkedBlockingQueue<>())
                .poll(1, TimeUnit.SECONDS))
        .isNull();
  }
}
