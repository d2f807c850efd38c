package com.ohmyotp;

import static org.assertj.core.api.Assertions.assertThat;

import com.ohmyotp.support.Driver.Customer;
import com.ohmyotp.support.TestServer;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A fresh number is found wherever it lies: the search starts at a random id, looks at a window of
 * ids first, then at the rest up to the end, then from the beginning. Each service here has one
 * fresh number among several windows' worth, at the first id, in the middle or at the last, and is
 * rented several times over, so that every part of the search meets it. What is checked is that the
 * number is found; a search that missed it would be retried from another start, so which part found
 * it is not.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FreshNumberSearchTest {

  private static final int NUMBERS = 400;
  private static final int SERVICES_PER_CASE = 8;

  private TestServer server;
  private Customer customer;
  private List<Long> numberIds;

  @BeforeAll
  void start() {
    server = TestServer.start();
    server.numbers("gateway", NUMBERS);
    customer = server.customer("100");
    numberIds =
        server
            .app
            .database()
            .read(
                h ->
                    h.createQuery("SELECT id FROM phone_numbers ORDER BY id")
                        .mapTo(Long.class)
                        .list());
    assertThat(numberIds).hasSize(NUMBERS);
  }

  @AfterAll
  void stop() {
    server.close();
  }

  @Test
  void theOnlyFreshNumberAtTheFirstIdIsFound() {
    rentWithOnlyFresh(numberIds.getFirst());
  }

  @Test
  void theOnlyFreshNumberInTheMiddleIsFound() {
    rentWithOnlyFresh(numberIds.get(NUMBERS / 2));
  }

  @Test
  void theOnlyFreshNumberAtTheLastIdIsFound() {
    rentWithOnlyFresh(numberIds.getLast());
  }

  @Test
  void noFreshNumberAnswersNoNumbersAvailable() {
    String service = serviceUsingAllBut(null);
    var answer =
        server.http.post("/api/v1/rentals", customer.key(), "{\"service_id\":\"" + service + "\"}");
    assertThat(answer.status()).as(answer.text()).isEqualTo(409);
    assertThat(answer.json().get("error").asText()).isEqualTo("no_numbers_available");
  }

  private void rentWithOnlyFresh(long freshId) {
    for (int i = 0; i < SERVICES_PER_CASE; i++) {
      String service = serviceUsingAllBut(freshId);
      String rentalId = server.rent(customer, service).get("id").asText();
      long rented =
          server
              .app
              .database()
              .read(
                  h ->
                      h.createQuery("SELECT number_id FROM rentals WHERE id = :id")
                          .bind("id", rentalId)
                          .mapTo(Long.class)
                          .one());
      assertThat(rented).as("service %s", service).isEqualTo(freshId);
      // Let the number go, so that the next service finds it free.
      assertThat(
              server
                  .http
                  .post("/api/v1/rentals/" + rentalId + "/cancel", customer.key(), null)
                  .status())
          .isEqualTo(200);
    }
  }

  /** A new service for which every number but {@code freshId} (if any) was rented before. */
  private String serviceUsingAllBut(Long freshId) {
    String service = server.service("Search", "0.10", "gateway");
    server
        .app
        .database()
        .inTransaction(
            h ->
                h.createUpdate(
                        """
            INSERT INTO number_usage (number_id, service_id, account_id, first_rented_at)
            SELECT p.id, s.id, :account, 0 FROM phone_numbers p, services s
            WHERE s.name = :service AND (:fresh IS NULL OR p.id <> :fresh)
            """)
                    .bind("account", customer.id())
                    .bind("service", service)
                    .bind("fresh", freshId)
                    .execute());
    return service;
  }
}
