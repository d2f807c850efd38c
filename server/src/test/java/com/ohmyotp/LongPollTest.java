package com.ohmyotp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.ohmyotp.support.Driver.Customer;
import com.ohmyotp.support.Http;
import com.ohmyotp.support.TestServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /rentals/:id/code?wait=N}: answered when an SMS newer than {@code after} arrives or
 * the rental ends, else with the rental as it is when the wait runs out; no thread held meanwhile.
 */
class LongPollTest {

  static TestServer server;
  static String service;
  static final HttpClient client = HttpClient.newHttpClient();
  static final ObjectMapper json = new ObjectMapper();

  @BeforeAll
  static void start() {
    // A thousand polls of one key at once: past the default per-key limit, which is not tested
    // here.
    server =
        TestServer.start(
            java.util.Map.of(
                "OHMYOTP_RATE_LIMIT_PER_SECOND", "100000", "OHMYOTP_RATE_LIMIT_BURST", "100000"));
    service = server.service("Waits", "0.50", "gateway");
    server.numbers("gateway", 60);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  record Held(Customer customer, String id, String phone) {}

  static Held rental() {
    Customer c = server.customer("5");
    JsonNode r = server.rent(c, service);
    return new Held(c, r.get("id").asText(), r.get("phone_number").asText());
  }

  static CompletableFuture<HttpResponse<String>> waitFor(Held held, String query) {
    return client.sendAsync(
        HttpRequest.newBuilder(
                URI.create(server.base + "/api/v1/rentals/" + held.id() + "/code?" + query))
            .header("Authorization", "Bearer " + held.customer().key())
            .timeout(Duration.ofSeconds(90))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static JsonNode body(CompletableFuture<HttpResponse<String>> answer) throws Exception {
    HttpResponse<String> r = answer.get(20, TimeUnit.SECONDS);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return json.readTree(r.body());
  }

  static long waiting() {
    String metrics = server.http.get("/metrics", null).text();
    return metrics
        .lines()
        .filter(l -> l.startsWith("ohmyotp_code_waiting "))
        .mapToLong(l -> (long) Double.parseDouble(l.substring(l.indexOf(' ') + 1)))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void anSmsAnswersAWaitingPollAtOnce() throws Exception {
    Held held = rental();
    CompletableFuture<HttpResponse<String>> answer = waitFor(held, "wait=60");
    await("the poll waits").atMost(Duration.ofSeconds(10)).until(() -> waiting() >= 1);
    assertThat(answer).isNotDone();

    server.inboundSms(held.phone(), "Uber", "Your Uber code is 4821");

    JsonNode code = body(answer);
    assertThat(code.get("code").asText()).isEqualTo("4821");
    assertThat(code.get("status").asText()).isEqualTo("completed");
    assertThat(code.get("sms_id").asLong()).isPositive();
  }

  @Test
  void afterNamesTheSmsAlreadySeenAndZeroMeansAnyAtAll() throws Exception {
    Held held = rental();
    server.inboundSms(held.phone(), "Uber", "Your Uber code is 1111");
    JsonNode first =
        server.http.get("/api/v1/rentals/" + held.id() + "/code", held.customer().key()).json();
    long seen = first.get("sms_id").asLong();

    // Without after: the newest SMS at the request is seen already; with after=0 it is new.
    assertThat(body(waitFor(held, "wait=5&after=0")).get("code").asText()).isEqualTo("1111");
    CompletableFuture<HttpResponse<String>> next = waitFor(held, "wait=60&after=" + seen);
    CompletableFuture<HttpResponse<String>> byDefault = waitFor(held, "wait=60");
    await().atMost(Duration.ofSeconds(10)).until(() -> waiting() >= 2);

    server.inboundSms(held.phone(), "Uber", "Your Uber code is 2222");

    assertThat(body(next).get("code").asText()).isEqualTo("2222");
    assertThat(body(byDefault).get("code").asText()).isEqualTo("2222");
  }

  @Test
  void aRentalThatEndsAnswersItsWaiters() throws Exception {
    Held held = rental();
    CompletableFuture<HttpResponse<String>> answer = waitFor(held, "wait=60");
    await().atMost(Duration.ofSeconds(10)).until(() -> waiting() >= 1);

    Http.Response cancel =
        server.http.post("/api/v1/rentals/" + held.id() + "/cancel", held.customer().key(), null);
    assertThat(cancel.status()).isEqualTo(200);

    JsonNode code = body(answer);
    assertThat(code.get("status").asText()).isEqualTo("cancelled");
    assertThat(code.get("code").isNull()).isTrue();
  }

  @Test
  void nothingNewAnswersTheStateWhenTheWaitRunsOut() throws Exception {
    Held held = rental();
    long started = System.nanoTime();
    JsonNode code = body(waitFor(held, "wait=1"));
    assertThat(System.nanoTime() - started)
        .isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(950));
    assertThat(code.get("status").asText()).isEqualTo("active");
    assertThat(code.get("code").isNull()).isTrue();
    // wait=0 is the reference's poll.
    assertThat(body(waitFor(held, "wait=0")).get("status").asText()).isEqualTo("active");
  }

  @Test
  void badWaitsAndOthersRentalsAreRefusedAtOnce() {
    Held held = rental();
    for (String query :
        List.of(
            "wait=61", "wait=-1", "wait=abc", "wait=1.5", "wait=", "after=x", "wait=5&after=-3")) {
      Http.Response r =
          server.http.get("/api/v1/rentals/" + held.id() + "/code?" + query, held.customer().key());
      assertThat(r.status()).as(query).isEqualTo(400);
      assertThat(r.json().get("error").asText()).as(query).isEqualTo("invalid_query");
    }
    // Another account's rental: refused at once, as the plain poll refuses it.
    Customer other = server.customer("1");
    Http.Response foreign =
        server.http.get("/api/v1/rentals/" + held.id() + "/code?wait=30", other.key());
    Http.Response plain = server.http.get("/api/v1/rentals/" + held.id() + "/code", other.key());
    assertThat(foreign.status()).isEqualTo(plain.status()).isEqualTo(403);
  }

  @Test
  void clientsThatVanishFreeWhatTheyHeld() throws Exception {
    Held held = rental();
    List<Socket> sockets = new ArrayList<>();
    byte[] request =
        ("GET /api/v1/rentals/"
                + held.id()
                + "/code?wait=15 HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                + held.customer().key()
                + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII);
    try {
      // A few dozen connections opening at a time: a thousand SYNs at once overflow the listen
      // queue, and TCP brings the dropped ones back only after seconds.
      java.util.concurrent.Semaphore connecting = new java.util.concurrent.Semaphore(64);
      try (var opening = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
        List<java.util.concurrent.Future<Socket>> opened = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
          opened.add(
              opening.submit(
                  () -> {
                    connecting.acquire();
                    try {
                      Socket s = new Socket("127.0.0.1", server.app.port());
                      OutputStream out = s.getOutputStream();
                      out.write(request);
                      out.flush();
                      return s;
                    } finally {
                      connecting.release();
                    }
                  }));
        }
        for (var f : opened) {
          sockets.add(f.get());
        }
      }
      await("the polls wait").atMost(Duration.ofSeconds(30)).until(() -> waiting() >= 1000);
    } finally {
      for (Socket s : sockets) {
        try {
          s.close();
        } catch (IOException e) {
          // Closed already.
        }
      }
    }
    await("every vanished poll is let go")
        .atMost(Duration.ofSeconds(20))
        .until(() -> waiting() == 0);
    // And the server answers as before.
    server.inboundSms(held.phone(), "Uber", "Your Uber code is 7777");
    assertThat(body(waitFor(held, "wait=5&after=0")).get("code").asText()).isEqualTo("7777");
  }
}
