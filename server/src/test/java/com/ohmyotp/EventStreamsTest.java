package com.ohmyotp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.ohmyotp.support.Driver.Customer;
import com.ohmyotp.support.SseClient;
import com.ohmyotp.support.SseClient.SseEvent;
import com.ohmyotp.support.TestServer;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Server-sent events of a rental and of an account: each SMS and status change as it commits, with
 * an id to resume from, and nothing of another account's.
 */
class EventStreamsTest {

  static TestServer server;
  static String service;
  static final ObjectMapper json = new ObjectMapper();
  static final Duration WITHIN = Duration.ofSeconds(10);

  @BeforeAll
  static void start() {
    server = TestServer.start();
    service = server.service("Streams", "0.50", "gateway");
    server.numbers("gateway", 20);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  SseClient stream(Customer c, String path, Map<String, String> headers) throws Exception {
    SseClient sse = new SseClient(server.base + path, c.key(), headers);
    assertThat(sse.response().statusCode()).isEqualTo(200);
    assertThat(sse.response().headers().firstValue("Content-Type").orElse(""))
        .startsWith("text/event-stream");
    assertThat(sse.comment(WITHIN)).isEqualTo("connected");
    return sse;
  }

  @Test
  void aRentalsStreamTellsItsSmsThenItsCompletionAndResumesAfterTheLastEventRead()
      throws Exception {
    Customer c = server.customer("5");
    JsonNode rental = server.rent(c, service);
    String id = rental.get("id").asText();
    String phone = rental.get("phone_number").asText();
    SseEvent sms;
    SseEvent status;
    try (SseClient sse = stream(c, "/api/v1/rentals/" + id + "/events", Map.of())) {
      assertThat(server.inboundSms(phone, "Uber", "Your Uber code is 4821").status())
          .isEqualTo(202);
      sms = sse.next(WITHIN);
      status = sse.next(WITHIN);
    }
    assertThat(sms.event()).isEqualTo("sms");
    JsonNode data = json.readTree(sms.data());
    assertThat(data.get("rental_id").asText()).isEqualTo(id);
    assertThat(data.get("activation_id").asLong()).isEqualTo(rental.get("activation_id").asLong());
    assertThat(data.get("phone_number").asText()).isEqualTo(phone);
    assertThat(data.get("sender").asText()).isEqualTo("Uber");
    assertThat(data.get("message").asText()).isEqualTo("Your Uber code is 4821");
    assertThat(data.get("code").asText()).isEqualTo("4821");
    assertThat(data.get("received_at").asLong()).isEqualTo(server.clock.epochSecond());
    assertThat(data.get("sms_id").asLong()).isPositive();
    assertThat(status.event()).isEqualTo("status");
    assertThat(json.readTree(status.data()).get("status").asText()).isEqualTo("completed");
    assertThat(Long.parseLong(status.id())).isGreaterThan(Long.parseLong(sms.id()));

    // Reconnecting after the first event: the second comes first, and only it.
    try (SseClient again =
        stream(c, "/api/v1/rentals/" + id + "/events", Map.of("Last-Event-ID", sms.id()))) {
      SseEvent resumed = again.next(WITHIN);
      assertThat(resumed).isEqualTo(status);
      assertThat(again.next(Duration.ofMillis(300))).isNull();
    }
    // From the last one: nothing to catch up.
    try (SseClient caughtUp =
        stream(c, "/api/v1/rentals/" + id + "/events", Map.of("Last-Event-ID", status.id()))) {
      assertThat(caughtUp.next(Duration.ofMillis(300))).isNull();
    }
  }

  @Test
  void anAccountsStreamTellsEachOfItsRentalsAndNothingOfAnotherAccounts() throws Exception {
    Customer c = server.customer("5");
    Customer other = server.customer("5");
    JsonNode first = server.rent(c, service);
    JsonNode second = server.rent(c, service);
    JsonNode theirs = server.rent(other, service);
    try (SseClient sse = stream(c, "/api/v1/events", Map.of())) {
      server.inboundSms(theirs.get("phone_number").asText(), "Bank", "Code 1111");
      server.inboundSms(first.get("phone_number").asText(), "Uber", "Code 2222");
      assertThat(
              server
                  .http
                  .post("/api/v1/rentals/" + second.get("id").asText() + "/cancel", c.key(), null)
                  .status())
          .isEqualTo(200);
      SseEvent a = sse.next(WITHIN);
      SseEvent b = sse.next(WITHIN);
      SseEvent cancelled = sse.next(WITHIN);
      assertThat(a.event()).isEqualTo("sms");
      assertThat(json.readTree(a.data()).get("code").asText()).isEqualTo("2222");
      assertThat(b.event()).isEqualTo("status");
      assertThat(json.readTree(b.data()).get("rental_id").asText())
          .isEqualTo(first.get("id").asText());
      assertThat(cancelled.event()).isEqualTo("status");
      JsonNode cancel = json.readTree(cancelled.data());
      assertThat(cancel.get("rental_id").asText()).isEqualTo(second.get("id").asText());
      assertThat(cancel.get("status").asText()).isEqualTo("cancelled");
      assertThat(sse.next(Duration.ofMillis(300))).isNull();
    }
  }

  @Test
  void anotherAccountsRentalIsRefusedAsItselfIsAndABadLastEventIdIsRefused() {
    Customer c = server.customer("5");
    Customer other = server.customer("5");
    String theirs = server.rent(other, service).get("id").asText();
    // As for the rental itself.
    var notYours = server.http.get("/api/v1/rentals/" + theirs + "/events", c.key());
    assertThat(notYours.status()).isEqualTo(403);
    assertThat(notYours.json().get("error").asText())
        .isEqualTo(
            server.http.get("/api/v1/rentals/" + theirs, c.key()).json().get("error").asText());
    assertThat(server.http.get("/api/v1/rentals/nope/events", c.key()).status()).isEqualTo(404);
    var bad =
        server.http.send(
            "GET", "/api/v1/events", c.key(), null, Map.of("Last-Event-ID", "yesterday"));
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.json().get("error").asText()).isEqualTo("invalid_last_event_id");
    assertThat(server.http.get("/api/v1/events", "omo_live_nope").status()).isEqualTo(401);
  }

  static long openStreams() {
    return server
        .http
        .get("/metrics", null)
        .text()
        .lines()
        .filter(l -> l.startsWith("ohmyotp_event_streams "))
        .mapToLong(l -> (long) Double.parseDouble(l.substring(l.indexOf(' ') + 1)))
        .findFirst()
        .orElse(-1);
  }

  @Test
  void streamsWhoseClientsVanishAreFreedAtTheirNextWrite() throws Exception {
    Customer c = server.customer("5");
    JsonNode rental = server.rent(c, service);
    long before = openStreams();
    java.util.List<SseClient> clients = new java.util.ArrayList<>();
    for (int i = 0; i < 200; i++) {
      clients.add(new SseClient(server.base + "/api/v1/events", c.key(), Map.of()));
    }
    for (SseClient sse : clients) {
      assertThat(sse.comment(WITHIN)).isEqualTo("connected");
    }
    assertThat(openStreams()).isEqualTo(before + 200);
    clients.forEach(SseClient::close);
    // What the account's streams write next finds their clients gone (a heartbeat would too,
    // within 15 s).
    for (int i = 0; i < 3; i++) {
      server.inboundSms(rental.get("phone_number").asText(), "Uber", "Code " + (5000 + i));
    }
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(40))
        .until(() -> openStreams() == before);
  }
}
