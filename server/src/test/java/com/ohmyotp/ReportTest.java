package com.ohmyotp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.ohmyotp.support.Driver.Customer;
import com.ohmyotp.support.Http;
import com.ohmyotp.support.Invariants;
import com.ohmyotp.support.TestServer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** A customer reports a bad number: refunded, the number retired for the service, within limits. */
class ReportTest {

  @Test
  void aReportRefundsInFullAndTheNumberIsNeverOfferedAgainForTheService() {
    try (TestServer server = TestServer.start()) {
      String service = server.service("Tinder", "0.75", "gateway");
      server.numbers("gateway", 1);
      Customer c = server.customer("1");
      JsonNode rental = server.rent(c, service);
      String id = rental.get("id").asText();
      Http.Response bad =
          server.http.post("/api/v1/rentals/" + id + "/report", c.key(), "{\"reason\":\"meh\"}");
      assertThat(bad.status()).isEqualTo(400);
      Http.Response r =
          server.http.post(
              "/api/v1/rentals/" + id + "/report", c.key(), "{\"reason\":\"number_already_used\"}");
      assertThat(r.status()).as(r.text()).isEqualTo(200);
      assertThat(r.json().get("status").asText()).isEqualTo("cancelled");
      assertThat(r.json().get("refund_amount").decimalValue()).isEqualByComparingTo("0.75");
      assertThat(server.balance(c)).isEqualByComparingTo("1");
      // The only number was used for the service: another customer gets none.
      Http.Response next =
          server.http.post(
              "/api/v1/rentals",
              server.customer("1").key(),
              "{\"service_id\":\"" + service + "\"}");
      assertThat(next.status()).isEqualTo(409);
      // Reported twice, or once a code came: refused.
      assertThat(
              server
                  .http
                  .post("/api/v1/rentals/" + id + "/report", c.key(), "{\"reason\":\"no_sms\"}")
                  .status())
          .isEqualTo(409);
      JsonNode reports = server.admin("GET", "/api/admin/reports", null).json().get("reports");
      assertThat(reports).hasSize(1);
      assertThat(reports.get(0).get("reason").asText()).isEqualTo("number_already_used");
      assertThat(reports.get(0).get("rental_id").asText()).isEqualTo(id);
      Invariants.assertHold(server.app.database());
    }
  }

  @Test
  void aRentalWithAnSmsCannotBeReported() {
    try (TestServer server = TestServer.start()) {
      String service = server.service("Lyft", "0.35", "gateway");
      String number = server.numbers("gateway", 1).get(0);
      Customer c = server.customer("1");
      String id = server.rent(c, service).get("id").asText();
      server.inboundSms(number, "Lyft", "Your Lyft code is 4431");
      Http.Response r =
          server.http.post("/api/v1/rentals/" + id + "/report", c.key(), "{\"reason\":\"other\"}");
      assertThat(r.status()).isEqualTo(409);
      assertThat(r.json().get("error").asText()).isEqualTo("rental_not_reportable");
      assertThat(server.balance(c)).isEqualByComparingTo("0.65");
    }
  }

  @Test
  void reportsCannotFarmRefundsEvenAllAtOnce() throws Exception {
    try (TestServer server = TestServer.start()) {
      String service = server.service("Bumble", "0.50", "gateway");
      server.numbers("gateway", 12);
      Customer c = server.customer("6");
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        ids.add(server.rent(c, service).get("id").asText());
      }
      ExecutorService pool = Executors.newFixedThreadPool(12);
      List<Callable<Integer>> reports = new ArrayList<>();
      for (String id : ids) {
        reports.add(
            () ->
                server
                    .http
                    .post("/api/v1/rentals/" + id + "/report", c.key(), "{\"reason\":\"no_sms\"}")
                    .status());
      }
      List<Integer> statuses = new ArrayList<>();
      for (Future<Integer> f : pool.invokeAll(reports)) {
        statuses.add(f.get());
      }
      pool.shutdown();
      assertThat(statuses.stream().filter(s -> s == 200)).hasSize(5);
      assertThat(statuses.stream().filter(s -> s == 409)).hasSize(7);
      // Five refunded, seven still held and charged.
      assertThat(server.balance(c)).isEqualByComparingTo("2.50");
      Invariants.assertHold(server.app.database());
    }
  }
}
