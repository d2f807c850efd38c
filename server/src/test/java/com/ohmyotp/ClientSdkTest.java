package com.ohmyotp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.ohmyotp.client.Models;
import com.ohmyotp.client.OhMyOtp;
import com.ohmyotp.client.OhMyOtpException;
import com.ohmyotp.support.Driver;
import com.ohmyotp.support.TestServer;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Java SDK against the real server, with the simulator delivering the SMS. */
class ClientSdkTest {

  static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.start(Map.of("OHMYOTP_SIMULATOR_DELAY", "0.2"));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void rentWaitForTheCodeAndSeeTheMoney() {
    String service = server.service("Google", "0.5", "simulator");
    server.numbers("simulator", 3);
    Driver.Customer c = server.customer("2");
    OhMyOtp api = OhMyOtp.create(server.base, c.key());

    assertThat(api.me().email()).isEqualTo(c.email());
    assertThat(api.services()).extracting(Models.Service::name).contains(service);
    assertThat(api.service(service).price()).isEqualByComparingTo("0.5");
    Models.Rental rental = api.rent(service);
    assertThat(rental.status()).isEqualTo("active");
    assertThat(rental.cost()).isEqualByComparingTo("0.5");
    assertThat(rental.phoneE164()).startsWith("+");
    assertThat(api.active().rentals()).extracting(Models.Rental::id).containsExactly(rental.id());

    Models.Code code = api.waitForCode(rental, Duration.ofSeconds(20)).orElseThrow();
    assertThat(code.code()).matches("\\d{6}");
    assertThat(code.message()).contains(code.code());
    assertThat(api.code(rental.id()).code()).isEqualTo(code.code());
    assertThat(api.rental(rental.id()).smsMessages()).hasSize(1);
    assertThat(api.cancel(rental.id()).refundAmount()).isEqualByComparingTo("0");
    assertThat(api.balance().balance()).isEqualByComparingTo("1.5");
    assertThat(api.balance().transactions())
        .extracting(Models.Transaction::type)
        .contains("rental_charge", "deposit");
    assertThat(api.history("all", true, 1, 10).rentals())
        .extracting(Models.HistoryEntry::lastCode)
        .containsExactly(code.code());
    Models.RerentCheck check = api.rerentCheck(service, List.of(rental.phoneNumber()));
    assertThat(check.eligibleCount()).isEqualTo(1);
    Models.Rental again = api.rerent(service, rental.phoneNumber());
    assertThat(again.rerent()).isTrue();
    assertThat(api.balance().balance()).isEqualByComparingTo("1.0");
  }

  @Test
  void aRentRetriedWithItsKeyIsChargedOnce() {
    String service = server.service("Keyed", "0.3", "gateway");
    server.numbers("gateway", 2);
    Driver.Customer c = server.customer("1");
    OhMyOtp api = OhMyOtp.create(server.base, c.key());
    Models.Rental first = api.rent(service, "sdk-key-00000001");
    Models.Rental replay = api.rent(service, "sdk-key-00000001");
    assertThat(replay.id()).isEqualTo(first.id());
    assertThat(api.balance().balance()).isEqualByComparingTo("0.7");
  }

  @Test
  void historyIsReadLazilyPageByPage() {
    String service = server.service("Paged", "0.01", "gateway");
    server.numbers("gateway", 205);
    Driver.Customer c = server.customer("10");
    OhMyOtp api = OhMyOtp.create(server.base, c.key());
    for (int i = 0; i < 205; i++) {
      api.rent(service);
    }
    // 205 rentals are two pages of 200; the first five need only the first page.
    assertThat(api.history("all", false).limit(5).count()).isEqualTo(5);
    List<Models.HistoryEntry> all = api.history("active", false).toList();
    assertThat(all).hasSize(205);
    assertThat(all).extracting(Models.HistoryEntry::id).doesNotHaveDuplicates();
    assertThat(all.get(0).rentedAt()).isGreaterThanOrEqualTo(all.get(204).rentedAt());
  }

  @Test
  void eventsArePushedToTheSdkAsTheyHappen() throws Exception {
    String service = server.service("Streamed", "0.5", "gateway");
    server.numbers("gateway", 1);
    Driver.Customer c = server.customer("2");
    OhMyOtp api = OhMyOtp.create(server.base, c.key());
    java.util.concurrent.BlockingQueue<Models.Event> events =
        new java.util.concurrent.LinkedBlockingQueue<>();
    try (OhMyOtp.EventStream stream = api.events(null, events::add)) {
      Awaitility.await("the stream is open at the server")
          .atMost(Duration.ofSeconds(10))
          .until(
              () -> server.http.get("/metrics", null).text().contains("ohmyotp_event_streams 1.0"));
      Models.Rental rental = api.rent(service);
      server.inboundSms(rental.phoneNumber(), "Uber", "Your Uber code is 135790");
      Models.Event sms = events.poll(10, TimeUnit.SECONDS);
      assertThat(sms).isNotNull();
      assertThat(sms.event()).isEqualTo("sms");
      assertThat(sms.data().rentalId()).isEqualTo(rental.id());
      assertThat(sms.data().code()).isEqualTo("135790");
      Models.Event status = events.poll(10, TimeUnit.SECONDS);
      assertThat(status.event()).isEqualTo("status");
      assertThat(status.data().status()).isEqualTo("completed");
      assertThat(Long.parseLong(status.id())).isGreaterThan(Long.parseLong(sms.id()));
      assertThat(stream.isDone()).isFalse();
    }
    OhMyOtp.EventStream refused =
        OhMyOtp.create(server.base, "omo_live_wrong").events(null, events::add);
    assertThatThrownBy(refused::join)
        .isInstanceOfSatisfying(OhMyOtpException.class, e -> assertThat(e.status()).isEqualTo(401));
  }

  @Test
  void webhooksFromTheSdk() {
    Driver.Customer c = server.customer("1");
    OhMyOtp api = OhMyOtp.create(server.base, c.key());
    assertThatThrownBy(() -> api.createWebhook("http://127.0.0.1:9/hook", List.of("sms.received")))
        .isInstanceOfSatisfying(
            OhMyOtpException.class,
            e -> {
              assertThat(e.status()).isEqualTo(422);
              assertThat(e.error()).isEqualTo("webhook_url_not_https");
            });
    assertThat(api.webhooks()).isEmpty();
  }

  @Test
  void errorsCarryTheApisCodeStatusAndRequestId() {
    Driver.Customer c = server.customer("0");
    OhMyOtp api = OhMyOtp.create(server.base, c.key());
    assertThatThrownBy(() -> api.rent("NoSuchService"))
        .isInstanceOfSatisfying(
            OhMyOtpException.class,
            e -> {
              assertThat(e.status()).isEqualTo(404);
              assertThat(e.error()).isEqualTo("service_not_found");
              assertThat(e.requestId()).isNotBlank();
            });
    assertThatThrownBy(() -> OhMyOtp.create(server.base, "omo_live_wrong").me())
        .isInstanceOfSatisfying(
            OhMyOtpException.class,
            e -> {
              assertThat(e.status()).isEqualTo(401);
              assertThat(e.error()).isEqualTo("invalid_api_key");
            });
  }

  @Test
  void aServerThatCannotBeReachedIsNamed() {
    OhMyOtp api =
        OhMyOtp.builder()
            .baseUrl("http://127.0.0.1:9")
            .apiKey("k")
            .backoff(Duration.ofMillis(1), Duration.ofMillis(2))
            .build();
    assertThatThrownBy(api::me)
        .isInstanceOfSatisfying(
            OhMyOtpException.class,
            e -> {
              assertThat(e.status()).isZero();
              assertThat(e.error()).isEqualTo(OhMyOtpException.CONNECTION_FAILED);
              assertThat(e.getMessage()).contains("http://127.0.0.1:9");
            });
  }

  @Test
  void readsAreTriedAgainAfter429And503ButACancelIsNot() throws IOException {
    // A stand-in server that is busy the first two times it is asked.
    AtomicInteger asked = new AtomicInteger();
    HttpServer busy = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    busy.createContext(
        "/",
        exchange -> {
          int n = asked.incrementAndGet();
          byte[] body;
          if (n == 1) {
            exchange.getResponseHeaders().add("Retry-After", "1");
            body = "{\"error\":\"rate_limited\",\"message\":\"Slow down.\"}".getBytes();
            exchange.sendResponseHeaders(429, body.length);
          } else if (n == 2 || exchange.getRequestURI().getPath().endsWith("/cancel")) {
            body = "{\"error\":\"unavailable\",\"message\":\"Busy.\"}".getBytes();
            exchange.sendResponseHeaders(503, body.length);
          } else {
            body =
                "{\"id\":7,\"email\":\"a@b.c\",\"balance\":1.5,\"created_at\":1}"
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
          }
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    busy.start();
    try {
      OhMyOtp api =
          OhMyOtp.builder()
              .baseUrl("http://127.0.0.1:" + busy.getAddress().getPort())
              .apiKey("k")
              .backoff(Duration.ofMillis(10), Duration.ofMillis(50))
              .build();
      long started = System.nanoTime();
      assertThat(api.me().balance()).isEqualByComparingTo("1.5");
      assertThat(asked.get()).isEqualTo(3);
      // The 429's Retry-After (1 s) is honoured over the far shorter backoff.
      assertThat(Duration.ofNanos(System.nanoTime() - started))
          .isGreaterThan(Duration.ofMillis(900));

      asked.set(10);
      assertThatThrownBy(() -> api.cancel("r1"))
          .isInstanceOfSatisfying(
              OhMyOtpException.class, e -> assertThat(e.status()).isEqualTo(503));
      assertThat(asked.get()).isEqualTo(11);
    } finally {
      busy.stop(0);
    }
  }

  @Test
  void waitForCodeHasTheCodeAsSoonAsItsSmsArrives() throws Exception {
    String service = server.service("Pushed", "0.5", "gateway");
    server.numbers("gateway", 1);
    Driver.Customer c = server.customer("2");
    OhMyOtp api = OhMyOtp.create(server.base, c.key());
    Models.Rental rental = api.rent(service);
    CompletableFuture<Optional<Models.Code>> awaited =
        CompletableFuture.supplyAsync(() -> api.waitForCode(rental, Duration.ofSeconds(60)));
    Awaitility.await("the SDK's request waits at the server")
        .atMost(Duration.ofSeconds(10))
        .until(() -> server.http.get("/metrics", null).text().contains("ohmyotp_code_waiting 1.0"));

    server.inboundSms(rental.phoneNumber(), "Uber", "Your Uber code is 246810");

    // Long before a five-second poll would have looked again.
    Models.Code code = awaited.get(3, TimeUnit.SECONDS).orElseThrow();
    assertThat(code.code()).isEqualTo("246810");
    assertThat(code.smsId()).isPositive();
  }
}
