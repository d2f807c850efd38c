package com.ohmyotp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.ohmyotp.support.Driver.Customer;
import com.ohmyotp.support.Invariants;
import com.ohmyotp.support.TestServer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The invariant checks catch what they are meant to catch: each corruption is named. */
class InvariantsCanFailTest {

  @Test
  void everyKindOfCorruptionIsReported() {
    try (TestServer server = TestServer.start()) {
      String service = server.service("Uber", "0.40", "gateway");
      server.numbers("gateway", 3);
      Customer c = server.customer("5");
      JsonNode first = server.rent(c, service);
      server.http.post("/api/v1/rentals/" + first.get("id").asText() + "/cancel", c.key(), null);
      server.rent(c, service);
      assertThat(server.app.database().read(Invariants::violations)).isEmpty();

      server
          .app
          .database()
          .inTransaction(
              h -> {
                h.execute("UPDATE accounts SET balance = balance + 1 WHERE id = ?", c.id());
                h.execute(
                    "INSERT INTO transactions (account_id, type, amount, rental_id, created_at) VALUES (?, 'refund', 0.4, ?, 0)",
                    c.id(),
                    "no-such-rental");
                h.execute(
                    "UPDATE rentals SET status = 'expired' WHERE id <> ?",
                    first.get("id").asText());
                h.execute(
                    "UPDATE rentals SET number_id = (SELECT MIN(number_id) FROM rentals), status = 'active', "
                        + "expires_at = 9999999999");
                h.execute("DELETE FROM number_usage");
                h.execute("UPDATE source_numbers SET numbers = numbers + 1");
                h.execute(
                    "UPDATE phone_numbers SET retired_at = 1 WHERE id = (SELECT MAX(id) FROM phone_numbers)");
                return null;
              });
      List<String> violations = server.app.database().read(Invariants::violations);
      assertThat(String.join("\n", violations))
          .contains("a number held by two rentals at once")
          .contains("a balance that is not the sum of its transactions")
          .contains("a rental refunded when it should not be")
          .contains("a transaction for a rental of another account, or of no rental")
          .contains("an account whose rental counts disagree with its rentals")
          .contains("a rental whose number was first rented for its service by another account")
          .contains(
              "a source's counted numbers that disagree with its numbers, or a retired number counted")
          .contains("is retired and counted")
          .contains(
              "a service's count of counted numbers rented for it that disagrees with their uses");
    }
  }
}
