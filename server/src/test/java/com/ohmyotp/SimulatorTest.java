package com.ohmyotp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.ohmyotp.support.Driver.Customer;
import com.ohmyotp.support.Http;
import com.ohmyotp.support.TestServer;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The built-in simulator's SMS, on a real server. */
class SimulatorTest {

  @Test
  void aSimulatedCodeBelongsToTheRentalItWasMadeForNotTheNumbersNextRenter() {
    // Long enough for a cancel and a re-rent to happen before the first code is due.
    try (TestServer server = TestServer.start(Map.of("OHMYOTP_SIMULATOR_DELAY", "2"))) {
      String service = server.service("Google", "0.5", "simulator");
      server.numbers("simulator", 1);
      Customer c = server.customer("5");
      JsonNode first = server.rent(c, service);
      String phone = first.get("phone_number").asText();
      Http.Response cancelled =
          server.http.post(
              "/api/v1/rentals/" + first.get("id").asText() + "/cancel", c.key(), null);
      assertThat(cancelled.status()).isEqualTo(200);
      Http.Response again =
          server.http.post(
              "/api/v1/rentals/rerent?idempotency_key=simulator-rerent-1",
              c.key(),
              "{\"service_id\":\"" + service + "\",\"phone_number\":\"" + phone + "\"}");
      assertThat(again.status()).as(again.text()).isEqualTo(201);
      String second = again.json().get("id").asText();

      // The first rental's code comes first and is kept as unmatched; the second gets its own.
      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () ->
                  server
                          .admin("GET", "/api/admin/sms/unmatched", null)
                          .json()
                          .get("messages")
                          .size()
                      == 1);
      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () ->
                  !server
                      .http
                      .get("/api/v1/rentals/" + second, c.key())
                      .json()
                      .get("sms_messages")
                      .isEmpty());
      assertThat(server.http.get("/api/v1/rentals/" + second, c.key()).json().get("sms_messages"))
          .hasSize(1);
      assertThat(
              server
                  .http
                  .get("/api/v1/rentals/" + first.get("id").asText(), c.key())
                  .json()
                  .get("refund_amount")
                  .toString())
          .isEqualTo("0.5");
    }
  }
}
