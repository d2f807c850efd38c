package com.ohmyotp.rentals;

import static org.assertj.core.api.Assertions.assertThat;

import com.ohmyotp.support.Migrations;
import java.util.Map;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

/** Rentals made before the used flag are marked used exactly when they received an SMS. */
class UsedFlagMigrationTest {

  @Test
  void rentalsWithMessagesAreMarkedUsedAndTheOthersAreNot() {
    String url = Migrations.memoryDatabase("used-flag-migration");
    Migrations.migrateTo(url, "14");
    try (Handle h = Jdbi.create(url).open()) {
      h.execute(
          "INSERT INTO accounts (email, email_key, balance, created_at) VALUES ('a@x', 'a@x', 0, 0)");
      h.execute(
          "INSERT INTO services (name, name_key, category, price, duration_seconds, source, created_at)"
              + " VALUES ('Uber', 'uber', 'ride', 0.4, 600, 'gateway', 0)");
      h.execute(
          "INSERT INTO phone_numbers (e164, source, created_at) VALUES ('+12125550100', 'gateway', 0)");
      Map<String, String> statusOf =
          Map.of("none", "expired", "one", "completed", "two", "completed", "kept", "cancelled");
      Map<String, Integer> smsOf = Map.of("none", 0, "one", 1, "two", 2, "kept", 1);
      for (String id : statusOf.keySet()) {
        h.createUpdate(
                "INSERT INTO rentals (id, activation_id, account_id, service_id, number_id, status,"
                    + " cost, rerent, rented_at, expires_at, sms_count) SELECT :id, :activation,"
                    + " a.id, s.id, p.id, :status, 0.4, FALSE, 100, 700, :sms"
                    + " FROM accounts a, services s, phone_numbers p")
            .bind("id", id)
            .bind("activation", 1000 + id.hashCode())
            .bind("status", statusOf.get(id))
            .bind("sms", smsOf.get(id))
            .execute();
      }
      Migrations.migrate(url);
      Map<String, Boolean> used =
          h.createQuery("SELECT id, used FROM rentals").mapToMap().stream()
              .collect(Collectors.toMap(r -> (String) r.get("id"), r -> (Boolean) r.get("used")));
      assertThat(used)
          .containsExactlyInAnyOrderEntriesOf(
              Map.of("none", false, "one", true, "two", true, "kept", true));
    }
  }
}
