package com.ohmyotp.rentals;

import static org.assertj.core.api.Assertions.assertThat;

import com.ohmyotp.support.Migrations;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

/** Rentals made before activation ids get theirs in the order they were rented; new ones follow. */
class ActivationIdMigrationTest {

  @Test
  void existingRentalsAreNumberedInTheOrderTheyWereRentedAndNewIdsComeAfter() {
    String url = Migrations.memoryDatabase("activation-migration");
    Migrations.migrateTo(url, "9");
    try (Handle h = Jdbi.create(url).open()) {
      h.execute(
          "INSERT INTO accounts (email, email_key, balance, created_at) VALUES ('a@x', 'a@x', 0, 0)");
      h.execute(
          "INSERT INTO services (name, name_key, category, price, duration_seconds, source, created_at)"
              + " VALUES ('Uber', 'uber', 'ride', 0.4, 600, 'gateway', 0)");
      h.execute(
          "INSERT INTO phone_numbers (e164, source, created_at) VALUES ('+12125550100', 'gateway', 0)");
      // Rented at 300, 100, 200: numbered 100, 200, 300.
      for (String[] r :
          List.of(
              new String[] {"c", "300"}, new String[] {"a", "100"}, new String[] {"b", "200"})) {
        h.createUpdate(
                "INSERT INTO rentals (id, account_id, service_id, number_id, status, cost, rerent,"
                    + " rented_at, expires_at) SELECT :id, a.id, s.id, p.id, 'expired', 0.4, FALSE,"
                    + " :at, :at + 600 FROM accounts a, services s, phone_numbers p")
            .bind("id", r[0])
            .bind("at", Long.parseLong(r[1]))
            .execute();
      }
      Migrations.migrate(url);
      List<Long> ids =
          h.createQuery("SELECT activation_id FROM rentals ORDER BY id").mapTo(Long.class).list();
      assertThat(ids)
          .containsExactly(ActivationIds.FIRST, ActivationIds.FIRST + 1, ActivationIds.FIRST + 2);
      long nextBlock =
          h.createQuery("SELECT NEXT VALUE FOR activation_id_blocks").mapTo(Long.class).one();
      assertThat(ActivationIds.FIRST + nextBlock * ActivationIds.BLOCK)
          .isGreaterThan(ActivationIds.FIRST + 2);
    }
  }
}
