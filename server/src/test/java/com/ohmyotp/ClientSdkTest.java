package com.ohmyotp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.ohmyotp.client.Models;
import com.ohmyotp.client.OhMyOtp;
import com.ohmyotp.client.OhMyOtpException;
import com.ohmyotp.support.Driver;
import com.ohmyotp.support.TestServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
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
  void rentAwaitTheCodeAndSeeTheMoney() {
    String service = server.service("Google", "0.5", "simulator");
    server.numbers("simulator", 3);
    Driver.Customer c = server.customer("2");
    OhMyOtp api = OhMyOtp.create(server.base, c.key());

    assertThat(api.services()).extracting(Models.Service::name).contains(service);
    Models.Rental rental = api.rent(service);
    assertThat(rental.status()).isEqualTo("active");
    assertThat(rental.cost()).isEqualByComparingTo("0.5");

    Models.Code code = api.awaitCode(rental.id(), Duration.ofSeconds(20)).orElseThrow();
    assertThat(code.code()).matches("\\d{6}");
    assertThat(code.message()).contains(code.code());
    assertThat(api.rental(rental.id()).smsMessages()).hasSize(1);
    assertThat(api.cancel(rental.id()).refundAmount()).isEqualByComparingTo("0");
    assertThat(api.balance().balance()).isEqualByComparingTo("1.5");
    assertThat(api.history("all", true, 1, 10).rentals())
        .extracting(Models.HistoryEntry::lastCode)
        .containsExactly(code.code());
    Models.RerentCheck check = api.checkRerent(service, List.of(rental.phoneNumber()));
    assertThat(check.eligibleCount()).isEqualTo(1);
    assertThat(api.rerent(service, rental.phoneNumber(), "sdk-rerent-0001").rerent()).isTrue();
  }

  @Test
  void errorsCarryTheApisCode() {
    Driver.Customer c = server.customer("0");
    OhMyOtp api = OhMyOtp.create(server.base, c.key());
    assertThatThrownBy(() -> api.rent("NoSuchService"))
        .isInstanceOfSatisfying(
            OhMyOtpException.class,
            e -> {
              assertThat(e.status()).isEqualTo(404);
              assertThat(e.error()).isEqualTo("service_not_found");
            });
    assertThatThrownBy(() -> OhMyOtp.create(server.base, "omo_live_wrong").me())
        .isInstanceOfSatisfying(OhMyOtpException.class, e -> assertThat(e.status()).isEqualTo(401));
  }

  @Test
  void awaitCodeHasTheCodeAsSoonAsItsSmsArrives() throws Exception {
    String service = server.service("Pushed", "0.5", "gateway");
    server.numbers("gateway", 1);
    Driver.Customer c = server.customer("2");
    OhMyOtp api = OhMyOtp.create(server.base, c.key());
    Models.Rental rental = api.rent(service);
    java.util.concurrent.CompletableFuture<java.util.Optional<Models.Code>> awaited =
        java.util.concurrent.CompletableFuture.supplyAsync(
            () -> api.awaitCode(rental.id(), Duration.ofSeconds(60)));
    org.awaitility.Awaitility.await("the SDK's request waits at the server")
        .atMost(Duration.ofSeconds(10))
        .until(() -> server.http.get("/metrics", null).text().contains("ohmyotp_code_waiting 1.0"));

    server.inboundSms(rental.phoneNumber(), "Uber", "Your Uber code is 246810");

    // Long before a five-second poll would have looked again.
    Models.Code code = awaited.get(3, java.util.concurrent.TimeUnit.SECONDS).orElseThrow();
    assertThat(code.code()).isEqualTo("246810");
    assertThat(code.smsId()).isPositive();
  }
}
