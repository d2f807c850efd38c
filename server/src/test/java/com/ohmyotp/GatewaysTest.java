package com.ohmyotp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.ohmyotp.support.Driver.Customer;
import com.ohmyotp.support.GatewaySenders;
import com.ohmyotp.support.GatewaySenders.Post;
import com.ohmyotp.support.Http;
import com.ohmyotp.support.Invariants;
import com.ohmyotp.support.TestServer;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Each widely used gateway's own webhook, as its sender posts and signs it (built in {@link
 * GatewaySenders} from each project's documentation): accepted when signed right, refused with 401
 * when not or when stale, stored once when posted again, and kept for the operator when it names a
 * number we do not have.
 */
class GatewaysTest {

  static TestServer server;
  static final AtomicInteger NAMES = new AtomicInteger();
  static final AtomicInteger IDS = new AtomicInteger();

  @BeforeAll
  static void start() {
    server = TestServer.start(Map.of("OHMYOTP_WEBHOOK_RATE_PER_SECOND", "5"));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  /** Adds a gateway; returns the answer's JSON. */
  static JsonNode gateway(String kind, String secret, String extra) {
    String name = kind + "-" + NAMES.incrementAndGet();
    Http.Response r =
        server.admin(
            "POST",
            "/api/admin/gateways",
            "{\"name\":\""
                + name
                + "\",\"kind\":\""
                + kind
                + "\",\"secret\":"
                + TestServer.quote(secret)
                + (extra.isEmpty() ? "" : "," + extra)
                + "}");
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    assertThat(r.text()).doesNotContain(secret);
    return r.json();
  }

  /** A rental of a gateway number: its id and number. */
  record Held(Customer customer, String id, String phone) {}

  static Held rental() {
    String service = server.service("Gw", "0.50", "gateway");
    server.numbers("gateway", 1);
    Customer c = server.customer("5");
    JsonNode r = server.rent(c, service);
    return new Held(c, r.get("id").asText(), r.get("phone_number").asText());
  }

  static Http.Response post(String name, Post post) {
    return server.http.send("POST", "/api/v1/inbound/" + name, null, post.body(), post.headers());
  }

  static JsonNode smsOf(Held held) {
    Http.Response r = server.http.get("/api/v1/rentals/" + held.id(), held.customer().key());
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    return r.json().get("sms_messages");
  }

  static long now() {
    return server.clock.epochSecond();
  }

  static String e164(String phone) {
    return "+1" + phone;
  }

  static String id() {
    return "m" + IDS.incrementAndGet();
  }

  /** A number in no one's inventory, unique within the run. */
  static String nobodysNumber() {
    return "+1212905" + String.format("%04d", IDS.incrementAndGet() % 10_000);
  }

  /** The SMS reached no rental and is kept for the operator; its number was not added. */
  static void keptForOperator(Http.Response r, String text, Map<String, Long> numbersBefore) {
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    assertThat(unmatchedHas(text)).as("unmatched SMS list has " + text).isTrue();
    assertThat(numbersBySource()).isEqualTo(numbersBefore);
  }

  static boolean unmatchedHas(String text) {
    Http.Response r = server.admin("GET", "/api/admin/sms/unmatched", null);
    return r.text().contains(text);
  }

  @Test
  void androidAppPostsAreCheckedStoredOnceAndReadFromTheirSim() {
    String key = "android-signing-key";
    JsonNode g = gateway("android", key, "");
    String name = g.get("name").asText();
    assertThat(g.get("inbound_url").asText()).endsWith("/api/v1/inbound/" + name);
    Held held = rental();

    String eventId = id();
    Post sms =
        GatewaySenders.android(
            key, now(), eventId, e164(held.phone()), 1, "Uber", "Your Uber code is 4821");
    Http.Response first = post(name, sms);
    assertThat(first.status()).as(first.text()).isEqualTo(200);
    assertThat(first.json().get("status").asText()).isEqualTo("accepted");
    assertThat(first.json().get("rental_id").asText()).isEqualTo(held.id());
    // The app retries until it hears 2xx: the same post again is the same SMS.
    Http.Response again = post(name, sms);
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.json().get("status").asText()).isEqualTo("duplicate");
    assertThat(smsOf(held)).hasSize(1);
    assertThat(smsOf(held).get(0).get("code").asText()).isEqualTo("4821");

    Post forged =
        GatewaySenders.android(
            "another-key", now(), id(), e164(held.phone()), 1, "Uber", "Your Uber code is 1111");
    Http.Response refused = post(name, forged);
    assertThat(refused.status()).isEqualTo(401);
    assertThat(refused.json().get("error").asText()).isEqualTo("invalid_signature");
    Post old =
        GatewaySenders.android(
            key, now() - 600, id(), e164(held.phone()), 1, "Uber", "Your Uber code is 2222");
    Http.Response stale = post(name, old);
    assertThat(stale.status()).isEqualTo(401);
    assertThat(stale.json().get("error").asText()).isEqualTo("stale_signature");
    assertThat(smsOf(held)).hasSize(1);

    // A phone that does not say which number it received on: the registered SIM says it.
    Http.Response patched =
        server.admin(
            "PATCH",
            "/api/admin/gateways/" + name,
            "{\"devices\":[{\"device\":\"ffffffffceb0b1db0000018e937c815b\",\"sim\":2,\"phone\":\""
                + held.phone()
                + "\"}]}");
    assertThat(patched.status()).as(patched.text()).isEqualTo(200);
    Http.Response bySim =
        post(
            name,
            GatewaySenders.android(key, now(), id(), null, 2, "Uber", "Your Uber code is 5309"));
    assertThat(bySim.json().get("rental_id").asText()).as(bySim.text()).isEqualTo(held.id());
    Http.Response unknownSim =
        post(name, GatewaySenders.android(key, now(), id(), null, null, "Uber", "code 7777"));
    // One SIM registered for the device: an unnamed slot is that SIM.
    assertThat(unknownSim.status()).as(unknownSim.text()).isEqualTo(200);
    assertThat(smsOf(held)).hasSize(3);

    Http.Response ping = post(name, GatewaySenders.androidPing(key, now()));
    assertThat(ping.status()).isEqualTo(200);
    assertThat(ping.json().get("status").asText()).isEqualTo("ok");

    JsonNode listed = server.admin("GET", "/api/admin/gateways/" + name, null).json();
    JsonNode health = listed.get("health");
    assertThat(health.get("down").asBoolean()).isFalse();
    // Three SMS: the repeat was not one.
    assertThat(health.get("sms_last_hour").asLong()).isEqualTo(3);
    assertThat(health.get("signature_failures").asLong()).isEqualTo(2);
    assertThat(health.get("devices").get(1).get("device").asText())
        .isEqualTo("ffffffffceb0b1db0000018e937c815b");
    String metrics = server.http.get("/metrics", null).text();
    assertThat(metrics).contains("ohmyotp_gateway_sms_total{gateway=\"" + name + "\"} 3.0");
    assertThat(metrics)
        .contains("ohmyotp_gateway_signature_failures_total{gateway=\"" + name + "\"} 2.0");
    Invariants.assertHold(server.app.database());
  }

  @Test
  void aNumberNobodyListedIsKeptForTheOperatorOrRegisteredWhereAllowed() {
    String key = "k-unknown";
    String strict = gateway("android", key, "").get("name").asText();
    String learning = gateway("android", key, "\"auto_register\":true").get("name").asText();
    Map<String, Long> before = numbersBySource();

    Http.Response kept =
        post(
            strict,
            GatewaySenders.android(
                key, now(), id(), "+12129020101", 1, "Bank", "unknown-number-sms-1"));
    assertThat(kept.status()).as(kept.text()).isEqualTo(200);
    assertThat(kept.json().get("rental_id").isNull()).isTrue();
    assertThat(unmatchedHas("unknown-number-sms-1")).isTrue();
    assertThat(numbersBySource()).isEqualTo(before);

    Http.Response learnt =
        post(
            learning,
            GatewaySenders.android(
                key, now(), id(), "+12129020102", 1, "Bank", "unknown-number-sms-2"));
    assertThat(learnt.status()).as(learnt.text()).isEqualTo(200);
    assertThat(numbersBySource().get("gateway")).isEqualTo(before.get("gateway") + 1);
    JsonNode g = server.admin("GET", "/api/admin/gateways/" + learning, null).json();
    assertThat(g.get("numbers").asLong()).isEqualTo(1);
  }

  @Test
  void httpSmsTokensAreCheckedForKeyAudienceAndTime() {
    String key = "httpsms-signing-key-0123456789";
    JsonNode g = gateway("httpsms", key, "");
    String name = g.get("name").asText();
    String url = g.get("inbound_url").asText();
    Held held = rental();
    java.time.Instant now = server.clock.instant();

    String id = id();
    Post sms =
        GatewaySenders.httpSms(
            key,
            url,
            now,
            id,
            e164(held.phone()),
            "+18005550100",
            "G-482913 is your Google verification code.");
    assertThat(post(name, sms).json().get("rental_id").asText()).isEqualTo(held.id());
    assertThat(post(name, sms).json().get("status").asText()).isEqualTo("duplicate");
    assertThat(smsOf(held).get(0).get("code").asText()).isEqualTo("482913");

    assertThat(
            post(
                    name,
                    GatewaySenders.httpSms(
                        "wrong-key", url, now, id(), e164(held.phone()), "+1", "x"))
                .status())
        .isEqualTo(401);
    Http.Response otherAudience =
        post(
            name,
            GatewaySenders.httpSms(
                key, "https://elsewhere.example/hook", now, id(), e164(held.phone()), "+1", "x"));
    assertThat(otherAudience.status()).isEqualTo(401);
    assertThat(otherAudience.json().get("error").asText()).isEqualTo("invalid_signature");
    Http.Response expired =
        post(
            name,
            GatewaySenders.httpSms(
                key, url, now.minusSeconds(3600), id(), e164(held.phone()), "+1", "x"));
    assertThat(expired.status()).isEqualTo(401);
    assertThat(expired.json().get("error").asText()).isEqualTo("stale_signature");
    assertThat(smsOf(held)).hasSize(1);
    Map<String, Long> numbers = numbersBySource();
    keptForOperator(
        post(
            name,
            GatewaySenders.httpSms(
                key, url, now, id(), nobodysNumber(), "+1800", "httpsms-stranger")),
        "httpsms-stranger",
        numbers);
  }

  @Test
  void textbeePostsAreReadFromTheirDevice() {
    String secret = "textbee-signing-secret-0123";
    Held held = rental();
    String name =
        gateway(
                "textbee",
                secret,
                "\"devices\":[{\"device\":\"66a1b2c3\",\"phone\":\"" + held.phone() + "\"}]")
            .get("name")
            .asText();

    Post sms = GatewaySenders.textbee(secret, id(), "66a1b2c3", "Steam", "Your Steam code: 90210");
    Http.Response first = post(name, sms);
    assertThat(first.status()).as(first.text()).isEqualTo(200);
    assertThat(first.json().get("rental_id").asText()).isEqualTo(held.id());
    assertThat(post(name, sms).json().get("status").asText()).isEqualTo("duplicate");
    assertThat(
            post(name, GatewaySenders.textbee("not-the-secret-000000", id(), "66a1b2c3", "S", "x"))
                .status())
        .isEqualTo(401);
    Http.Response unknownDevice =
        post(name, GatewaySenders.textbee(secret, id(), "other-device", "S", "x"));
    assertThat(unknownDevice.status()).isEqualTo(400);
    assertThat(unknownDevice.json().get("error").asText()).isEqualTo("unknown_device");
    assertThat(smsOf(held)).hasSize(1);
  }

  @Test
  void twilioIsCheckedAgainstThePublicUrlAndAnsweredWithTwiml() {
    String token = "twilio-auth-token-0123456789abcdef";
    // Behind a proxy: Twilio calls the public URL, which is not this server's own.
    String publicUrl = "https://otp.example.com/hooks/twilio";
    String name =
        gateway("twilio", token, "\"public_url\":\"" + publicUrl + "\"").get("name").asText();
    Held held = rental();

    String sid = "SM" + id();
    Post sms =
        GatewaySenders.twilio(
            token, publicUrl, sid, "+14155550100", e164(held.phone()), "Your code is 3141");
    Http.Response first = post(name, sms);
    assertThat(first.status()).as(first.text()).isEqualTo(200);
    assertThat(first.header("Content-Type")).startsWith("text/xml");
    assertThat(first.text())
        .isEqualTo("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response></Response>");
    assertThat(post(name, sms).status()).isEqualTo(200);
    assertThat(smsOf(held)).hasSize(1);
    assertThat(smsOf(held).get(0).get("code").asText()).isEqualTo("3141");

    String ownUrl = server.base + "/api/v1/inbound/" + name;
    Post signedForOwnUrl =
        GatewaySenders.twilio(token, ownUrl, "SM" + id(), "+1415", e164(held.phone()), "x");
    assertThat(post(name, signedForOwnUrl).status()).isEqualTo(401);
    assertThat(
            post(
                    name,
                    GatewaySenders.twilio(
                        "wrong", publicUrl, "SM" + id(), "+1", e164(held.phone()), "x"))
                .status())
        .isEqualTo(401);
    assertThat(smsOf(held)).hasSize(1);
    Map<String, Long> numbers = numbersBySource();
    keptForOperator(
        post(
            name,
            GatewaySenders.twilio(
                token, publicUrl, "SM" + id(), "+1415", nobodysNumber(), "twilio-stranger")),
        "twilio-stranger",
        numbers);
  }

  @Test
  void vonageSignaturesHoldForEitherMethodAndPartsAreJoined() {
    String secret = "vonage-signature-secret";
    String md5 = gateway("vonage", secret, "").get("name").asText();
    String sha = gateway("vonage", secret, "\"signature_method\":\"sha256\"").get("name").asText();
    Held held = rental();
    String to = "1" + held.phone();

    Map<String, String> first =
        GatewaySenders.vonage(
            secret, "md5hash", now(), id(), "447700900001", to, "Your code is 1234", Map.of());
    Http.Response r =
        server.http.send(
            "GET",
            "/api/v1/inbound/" + md5 + "?" + GatewaySenders.form(first),
            null,
            null,
            Map.of());
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    assertThat(r.json().get("rental_id").asText()).isEqualTo(held.id());
    Map<String, String> viaSha =
        GatewaySenders.vonage(
            secret, "sha256", now(), id(), "447700900001", to, "Your code is 5678", Map.of());
    assertThat(postForm(sha, viaSha).status()).isEqualTo(200);
    assertThat(postForm(md5, viaSha).status()).isEqualTo(401);
    Map<String, String> old =
        GatewaySenders.vonage(
            secret, "md5hash", now() - 900, id(), "447700900001", to, "x", Map.of());
    Http.Response stale = postForm(md5, old);
    assertThat(stale.status()).isEqualTo(401);
    assertThat(stale.json().get("error").asText()).isEqualTo("stale_signature");

    // A long SMS in two parts, the second first: stored once, joined in order.
    Map<String, String> second =
        GatewaySenders.vonage(
            secret,
            "md5hash",
            now(),
            id(),
            "447700900001",
            to,
            "code is 9999.",
            Map.of("concat", "true", "concat-ref", "77", "concat-total", "2", "concat-part", "2"));
    Map<String, String> firstPart =
        GatewaySenders.vonage(
            secret,
            "md5hash",
            now(),
            id(),
            "447700900001",
            to,
            "Hello, your verification ",
            Map.of("concat", "true", "concat-ref", "77", "concat-total", "2", "concat-part", "1"));
    assertThat(postForm(md5, second).json().get("status").asText()).isEqualTo("part_stored");
    assertThat(postForm(md5, second).json().get("status").asText()).isEqualTo("part_stored");
    assertThat(postForm(md5, firstPart).json().get("status").asText()).isEqualTo("accepted");
    JsonNode messages = smsOf(held);
    assertThat(messages).hasSize(3);
    assertThat(messages.findValuesAsText("message"))
        .contains("Hello, your verification code is 9999.");
    assertThat(postForm(md5, firstPart).json().get("status").asText()).isNotEqualTo("accepted");
    assertThat(smsOf(held)).hasSize(3);
    Map<String, Long> numbers = numbersBySource();
    keptForOperator(
        postForm(
            md5,
            GatewaySenders.vonage(
                secret,
                "md5hash",
                now(),
                id(),
                "447700900001",
                nobodysNumber().substring(1),
                "vonage-stranger",
                Map.of())),
        "vonage-stranger",
        numbers);
  }

  static Http.Response postForm(String name, Map<String, String> params) {
    return server.http.send(
        "POST",
        "/api/v1/inbound/" + name,
        null,
        GatewaySenders.form(params),
        Map.of("Content-Type", "application/x-www-form-urlencoded"));
  }

  @Test
  void plivoV3SignaturesHoldWithTheirNonce() {
    String token = "plivo-auth-token-0123456789";
    JsonNode g = gateway("plivo", token, "");
    String name = g.get("name").asText();
    String url = g.get("inbound_url").asText();
    Held held = rental();

    Post sms =
        GatewaySenders.plivo(
            token,
            url,
            "12345678901234567890",
            id(),
            "+14155550100",
            "1" + held.phone(),
            "Your code: 2718");
    Http.Response first = post(name, sms);
    assertThat(first.status()).as(first.text()).isEqualTo(200);
    assertThat(first.json().get("rental_id").asText()).isEqualTo(held.id());
    assertThat(post(name, sms).json().get("status").asText()).isEqualTo("duplicate");
    Post otherNonce = GatewaySenders.plivo(token, url, "1111", id(), "+1", "1" + held.phone(), "x");
    Map<String, String> swapped = new HashMap<>(otherNonce.headers());
    swapped.put("X-Plivo-Signature-V3-Nonce", "2222");
    assertThat(post(name, new Post(otherNonce.body(), swapped)).status()).isEqualTo(401);
    assertThat(smsOf(held)).hasSize(1);
    Map<String, Long> numbers = numbersBySource();
    keptForOperator(
        post(
            name,
            GatewaySenders.plivo(
                token, url, "n9", id(), "+1415", nobodysNumber().substring(1), "plivo-stranger")),
        "plivo-stranger",
        numbers);
  }

  @Test
  void aRelaySignsAsTheGenericWebhookWithItsOwnSecret() {
    String secret = "relay-secret";
    String name = gateway("relay", secret, "").get("name").asText();
    Held held = rental();
    String body =
        "{\"to\":\""
            + e164(held.phone())
            + "\",\"from\":\"Lyft\",\"text\":\"Lyft code 6060\",\"received_at\":"
            + now()
            + "}";
    Http.Response r =
        server.http.send(
            "POST", "/api/v1/inbound/" + name, null, body, relayHeaders(secret, now(), body));
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    assertThat(r.json().get("rental_id").asText()).isEqualTo(held.id());
    // No message id: the same content at the same time is the same SMS.
    assertThat(
            server
                .http
                .send(
                    "POST",
                    "/api/v1/inbound/" + name,
                    null,
                    body,
                    relayHeaders(secret, now(), body))
                .json()
                .get("status")
                .asText())
        .isEqualTo("duplicate");
    assertThat(
            server
                .http
                .send(
                    "POST",
                    "/api/v1/inbound/" + name,
                    null,
                    body,
                    relayHeaders(secret, now() - 900, body))
                .status())
        .isEqualTo(401);
    // The shared secret of the generic webhook is not this gateway's.
    assertThat(
            server
                .http
                .send("POST", "/api/v1/inbound/" + name, null, body, server.driver.signed(body))
                .status())
        .isEqualTo(401);
    assertThat(smsOf(held)).hasSize(1);
    Map<String, Long> numbers = numbersBySource();
    String stranger =
        "{\"to\":\""
            + nobodysNumber()
            + "\",\"from\":\"Lyft\",\"text\":\"relay-stranger\",\"message_id\":\"r1\"}";
    keptForOperator(
        server.http.send(
            "POST",
            "/api/v1/inbound/" + name,
            null,
            stranger,
            relayHeaders(secret, now(), stranger)),
        "relay-stranger",
        numbers);
  }

  static Map<String, String> relayHeaders(String secret, long timestamp, String body) {
    return Map.of(
        "X-Ohmyotp-Timestamp",
        String.valueOf(timestamp),
        "X-Ohmyotp-Signature",
        com.ohmyotp.sources.GatewayWebhook.signature(
            secret.getBytes(java.nio.charset.StandardCharsets.UTF_8),
            timestamp,
            body.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
  }

  @Test
  void badPostsAreRefusedAndChangeNothing() {
    String key = "k-bad";
    String name = gateway("android", key, "").get("name").asText();
    Http.Response unknown = post("no-such-gateway", GatewaySenders.androidPing(key, now()));
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.json().get("error").asText()).isEqualTo("gateway_not_found");
    String body = "{not json";
    long ts = now();
    Map<String, String> headers =
        Map.of(
            "Content-Type", "application/json",
            "X-Timestamp", String.valueOf(ts),
            "X-Signature",
                com.ohmyotp.sources.GatewayWebhook.sign(
                    key.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    (body + ts).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    Http.Response malformed =
        server.http.send("POST", "/api/v1/inbound/" + name, null, body, headers);
    assertThat(malformed.status()).isEqualTo(400);
    assertThat(malformed.json().get("error").asText()).isEqualTo("invalid_body");
    Http.Response unsigned =
        server.http.send("POST", "/api/v1/inbound/" + name, null, "{}", Map.of());
    assertThat(unsigned.status()).isEqualTo(401);

    Http.Response badKind =
        server.admin(
            "POST", "/api/admin/gateways", "{\"name\":\"x1\",\"kind\":\"fax\",\"secret\":\"s\"}");
    assertThat(badKind.status()).isEqualTo(400);
    Http.Response reserved =
        server.admin(
            "POST",
            "/api/admin/gateways",
            "{\"name\":\"sms\",\"kind\":\"relay\",\"secret\":\"s\"}");
    assertThat(reserved.status()).isEqualTo(400);
    Http.Response taken =
        server.admin(
            "POST",
            "/api/admin/gateways",
            "{\"name\":\"" + name + "\",\"kind\":\"relay\",\"secret\":\"s\"}");
    assertThat(taken.status()).isEqualTo(409);
  }

  @Test
  void aFloodFromOneGatewayIsRefusedForThatGatewayOnly() {
    String key = "k-flood";
    String noisy = gateway("android", key, "").get("name").asText();
    String quiet = gateway("android", key, "").get("name").asText();
    int refused = 0;
    for (int i = 0; i < 40 && refused == 0; i++) {
      if (post(noisy, GatewaySenders.androidPing(key, now())).status() == 429) {
        refused++;
      }
    }
    assertThat(refused).isEqualTo(1);
    assertThat(post(quiet, GatewaySenders.androidPing(key, now())).status()).isEqualTo(200);
  }

  @Test
  void aSilentGatewayIsMarkedDownAndItsNumbersAreNotOfferedUntilItSpeaks() {
    String key = "k-silent";
    JsonNode g =
        gateway(
            "android", key, "\"silent_minutes\":5,\"numbers\":[\"+12129010177\",\"+12129010178\"]");
    String name = g.get("name").asText();
    assertThat(g.get("numbers").asLong()).isEqualTo(2);
    long offered = numbersBySource().get("gateway");

    server.clock.advance(Duration.ofMinutes(6));
    assertThat(server.app.checkGatewaysNow()).isGreaterThanOrEqualTo(1);
    assertThat(
            server
                .admin("GET", "/api/admin/gateways/" + name, null)
                .json()
                .get("health")
                .get("down")
                .asBoolean())
        .isTrue();
    assertThat(numbersBySource().get("gateway")).isEqualTo(offered - 2);
    assertThat(rerentReason("2129010177")).isEqualTo("phone_not_in_inventory");
    assertThat(server.http.get("/metrics", null).text())
        .contains("ohmyotp_gateway_down{gateway=\"" + name + "\"} 1.0");
    Invariants.assertHold(server.app.database());

    assertThat(post(name, GatewaySenders.androidPing(key, now())).status()).isEqualTo(200);
    assertThat(
            server
                .admin("GET", "/api/admin/gateways/" + name, null)
                .json()
                .get("health")
                .get("down")
                .asBoolean())
        .isFalse();
    assertThat(numbersBySource().get("gateway")).isEqualTo(offered);
    assertThat(rerentReason("2129010177")).isEqualTo("not_previously_rented");
    assertThat(server.http.get("/metrics", null).text())
        .contains("ohmyotp_gateway_down{gateway=\"" + name + "\"} 0.0");
    Invariants.assertHold(server.app.database());
  }

  /** Why a new customer may not re-rent the number: what the re-rent check says of it. */
  static String rerentReason(String phone) {
    String service = server.service("Check", "0.50", "gateway");
    Http.Response r =
        server.http.post(
            "/api/v1/rentals/rerent/check",
            server.customer("1").key(),
            "{\"service_id\":\"" + service + "\",\"phone_numbers\":[\"" + phone + "\"]}");
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    return r.json().get("results").get(0).get("reason").asText();
  }

  @Test
  void aGatewayRemovedTakesItsNumbersOutOfInventory() {
    JsonNode g = gateway("relay", "k-removed", "\"numbers\":[\"+12129030191\"]");
    String name = g.get("name").asText();
    long offered = numbersBySource().get("gateway");
    assertThat(server.admin("DELETE", "/api/admin/gateways/" + name, null).status()).isEqualTo(204);
    assertThat(numbersBySource().get("gateway")).isEqualTo(offered - 1);
    assertThat(server.admin("GET", "/api/admin/gateways/" + name, null).status()).isEqualTo(404);
    JsonNode list = server.admin("GET", "/api/admin/gateways", null).json().get("gateways");
    assertThat(list.findValuesAsText("name")).doesNotContain(name);
  }

  @Test
  void gatewaysComeFromTheConfigurationFileAndItsSecretsStayInIt() throws Exception {
    java.nio.file.Path file = java.nio.file.Files.createTempFile("gateways-", ".json");
    try {
      java.nio.file.Files.writeString(
          file,
          "[{\"name\":\"office-phone\",\"kind\":\"android\",\"secret\":\"file-secret-1\","
              + "\"numbers\":[\"+12129040101\"]},"
              + "{\"name\":\"bad one\",\"kind\":\"android\",\"secret\":\"file-secret-2\"}]");
      try (TestServer other = TestServer.start(Map.of("OHMYOTP_GATEWAYS_FILE", file.toString()))) {
        Http.Response list = other.admin("GET", "/api/admin/gateways", null);
        assertThat(list.json().get("gateways").findValuesAsText("name"))
            .containsExactly("office-phone");
        assertThat(list.text()).doesNotContain("file-secret");
        Post ping = GatewaySenders.androidPing("file-secret-1", other.clock.epochSecond());
        assertThat(
                other
                    .http
                    .send("POST", "/api/v1/inbound/office-phone", null, ping.body(), ping.headers())
                    .status())
            .isEqualTo(200);
      }
      java.nio.file.Files.writeString(file, "[{\"name\":\"x\",\"secret\":\"file-secret-3\"");
      assertThat(
              org.assertj.core.api.Assertions.catchThrowable(
                  () -> TestServer.start(Map.of("OHMYOTP_GATEWAYS_FILE", file.toString()))))
          .hasMessageContaining("OHMYOTP_GATEWAYS_FILE")
          .hasMessageNotContaining("file-secret-3");
    } finally {
      java.nio.file.Files.deleteIfExists(file);
    }
  }

  static Map<String, Long> numbersBySource() {
    Map<String, Long> numbers = new HashMap<>();
    for (JsonNode s : server.admin("GET", "/api/admin/sources", null).json().get("sources")) {
      if (s.has("numbers")) {
        numbers.put(s.get("name").asText(), s.get("numbers").asLong());
      }
    }
    return numbers;
  }
}
