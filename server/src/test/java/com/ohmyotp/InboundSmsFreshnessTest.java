package com.ohmyotp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.ohmyotp.sources.GatewayWebhook;
import com.ohmyotp.support.Driver.Customer;
import com.ohmyotp.support.Http;
import com.ohmyotp.support.TestServer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A gateway's post is signed with its time and taken once: a post replayed later, dated far off, or
 * sent again is not a new SMS, and an SMS older than a rental never completes it.
 */
class InboundSmsFreshnessTest {

  static TestServer server;
  static String service;

  @BeforeAll
  static void start() {
    server = TestServer.start();
    service = server.service("Uber", "0.40", "gateway");
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void aPostSignedMoreThanFiveMinutesAwayFromNowIsRefused() {
    String phone = server.numbers("gateway", 1).getFirst();
    String body = sms(phone, "Your code is 1111", null);
    for (long offset : new long[] {-301, 301}) {
      long when = server.clock.epochSecond() + offset;
      Http.Response r = post(body, when, signature(when, body));
      assertThat(r.status()).as("%d s away: %s", offset, r.text()).isEqualTo(401);
      assertThat(r.json().get("error").asText()).isEqualTo("stale_signature");
    }
    long when = server.clock.epochSecond() - 299;
    assertThat(post(body, when, signature(when, body)).status()).isEqualTo(202);
  }

  @Test
  void aCapturedPostReplayedLaterCompletesNothing() {
    Customer c = server.customer("1");
    String phone = server.numbers("gateway", 1).getFirst();
    String body = sms(phone, "Your code is 2222", null);
    long sent = server.clock.epochSecond();
    String signature = signature(sent, body);
    assertThat(post(body, sent, signature).status()).isEqualTo(202);

    // A day later a customer rents; the post comes again, exactly as it was.
    server.clock.advance(Duration.ofDays(1));
    JsonNode rental = server.rent(c, service);
    Http.Response replay = post(body, sent, signature);
    assertThat(replay.status()).isEqualTo(401);
    assertThat(rentalStatus(c, rental)).isEqualTo("active");
    assertThat(server.balance(c)).isEqualByComparingTo("0.60");
  }

  @Test
  void theSamePostThreeTimesIsOneSms() {
    Customer c = server.customer("1");
    JsonNode rental = rentAFreshNumber(c);
    String body = sms(rental.get("phone_number").asText(), "Your code is 3333", null);
    long sent = server.clock.epochSecond();
    String signature = signature(sent, body);
    Http.Response first = post(body, sent, signature);
    assertThat(first.status()).isEqualTo(202);
    assertThat(first.json().get("rental_id").asText()).isEqualTo(rental.get("id").asText());
    for (int i = 0; i < 2; i++) {
      Http.Response again = post(body, sent, signature);
      assertThat(again.status()).isEqualTo(200);
      assertThat(again.json().get("status").asText()).isEqualTo("duplicate");
    }
    assertThat(smsCount(c, rental)).isEqualTo(1);
  }

  @Test
  void aMessageIdOrADatedBodyIsOneSmsWhateverTheTimestamp() {
    Customer c = server.customer("1");
    JsonNode rental = rentAFreshNumber(c);
    String phone = rental.get("phone_number").asText();
    long now = server.clock.epochSecond();
    String withId =
        "{\"to\":"
            + TestServer.quote(phone)
            + ",\"from\":\"Uber\",\"text\":\"Code 4444\","
            + "\"message_id\":\"gw-42\"}";
    String dated = sms(phone, "Code 5555", now);
    for (long when : new long[] {now, now + 5, now + 10}) {
      post(withId, when, signature(when, withId));
      post(dated, when, signature(when, dated));
    }
    assertThat(smsCount(c, rental)).isEqualTo(2);
  }

  @Test
  void anSmsDatedWellBeforeTheRentalBeganIsKeptApartAndTheRefundKept() {
    Customer c = server.customer("1");
    JsonNode rental = rentAFreshNumber(c);
    long rentedAt = rental.get("rented_at").asLong();
    String body = sms(rental.get("phone_number").asText(), "Your code is 6666", rentedAt - 3600);
    long now = server.clock.epochSecond();
    Http.Response r = post(body, now, signature(now, body));
    assertThat(r.status()).isEqualTo(202);
    assertThat(r.json().get("rental_id").isNull()).isTrue();
    assertThat(rentalStatus(c, rental)).isEqualTo("active");
    JsonNode unmatched =
        server.admin("GET", "/api/admin/sms/unmatched?limit=1", null).json().get("messages").get(0);
    assertThat(unmatched.get("message").asText()).isEqualTo("Your code is 6666");
    assertThat(unmatched.get("reason").asText()).isEqualTo("before_rental");
    // Cancelled, it is refunded in full: no SMS of its own came.
    server.http.post("/api/v1/rentals/" + rental.get("id").asText() + "/cancel", c.key(), null);
    assertThat(server.balance(c)).isEqualByComparingTo(BigDecimal.ONE);
  }

  @Test
  void anSmsDatedInTheFutureIsRefused() {
    String phone = server.numbers("gateway", 1).getFirst();
    long now = server.clock.epochSecond();
    String body = sms(phone, "Code 7777", now + 365L * 24 * 3600);
    Http.Response r = post(body, now, signature(now, body));
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().get("message").asText()).isEqualTo("Field 'received_at' is in the future.");
  }

  @Test
  void theBodyOnlySignatureIsRefusedUnlessTheOperatorAllowsIt() {
    String body = sms("3025550188", "Code 8888", null);
    String bodyOnly =
        "sha256="
            + GatewayWebhook.sign(
                TestServer.GATEWAY_SECRET.getBytes(StandardCharsets.UTF_8),
                body.getBytes(StandardCharsets.UTF_8));
    Http.Response refused =
        server.http.send(
            "POST",
            "/api/v1/inbound/sms",
            null,
            body,
            Map.of(GatewayWebhook.SIGNATURE_HEADER, bodyOnly));
    assertThat(refused.status()).isEqualTo(401);
    assertThat(refused.json().get("message").asText()).contains("X-Ohmyotp-Timestamp");

    try (TestServer lenient =
        TestServer.start(Map.of("OHMYOTP_WEBHOOK_BODY_ONLY_SIGNATURE", "true"))) {
      Http.Response accepted =
          lenient.http.send(
              "POST",
              "/api/v1/inbound/sms",
              null,
              body,
              Map.of(GatewayWebhook.SIGNATURE_HEADER, bodyOnly));
      assertThat(accepted.status()).isEqualTo(202);
    }
  }

  /** Rents a number imported for this rental alone. */
  private static JsonNode rentAFreshNumber(Customer c) {
    server.numbers("gateway", 1);
    return server.rent(c, service);
  }

  private static String sms(String to, String text, Long receivedAt) {
    return "{\"to\":"
        + TestServer.quote(to)
        + ",\"from\":\"Uber\",\"text\":"
        + TestServer.quote(text)
        + (receivedAt == null ? "" : ",\"received_at\":" + receivedAt)
        + "}";
  }

  private static String signature(long timestamp, String body) {
    return GatewayWebhook.signature(
        TestServer.GATEWAY_SECRET.getBytes(StandardCharsets.UTF_8),
        timestamp,
        body.getBytes(StandardCharsets.UTF_8));
  }

  private static Http.Response post(String body, long timestamp, String signature) {
    return server.http.send(
        "POST",
        "/api/v1/inbound/sms",
        null,
        body,
        Map.of(
            GatewayWebhook.TIMESTAMP_HEADER,
            String.valueOf(timestamp),
            GatewayWebhook.SIGNATURE_HEADER,
            signature));
  }

  private static String rentalStatus(Customer c, JsonNode rental) {
    return server
        .http
        .get("/api/v1/rentals/" + rental.get("id").asText(), c.key())
        .json()
        .get("status")
        .asText();
  }

  private static int smsCount(Customer c, JsonNode rental) {
    return server
        .http
        .get("/api/v1/rentals/" + rental.get("id").asText(), c.key())
        .json()
        .get("sms_messages")
        .size();
  }
}
