package com.ohmyotp.smsactivate;

import static org.assertj.core.api.Assertions.assertThat;

import com.ohmyotp.support.Migrations;
import java.util.Map;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

/**
 * An install from before the protocol keeps its numbers and services: each number learns its
 * country, and the well-known services their protocol codes, unless the code is taken.
 */
class ProtocolMigrationTest {

  @Test
  void numbersLearnTheirCountryAndKnownServicesTheirCode() {
    String url = Migrations.memoryDatabase("protocol-migration");
    Migrations.migrateTo(url, "10");
    try (Handle h = Jdbi.create(url).open()) {
      for (String[] s :
          new String[][] {{"Uber", "uber"}, {"X", "x"}, {"Twitter", "twitter"}, {"Lyft", "lyft"}}) {
        h.createUpdate(
                "INSERT INTO services (name, name_key, category, price, duration_seconds, source,"
                    + " created_at) VALUES (:name, :key, 'c', 0.4, 600, 'gateway', 0)")
            .bind("name", s[0])
            .bind("key", s[1])
            .execute();
      }
      for (String e164 : new String[] {"+12125550100", "+442071838750", "+79161234567"}) {
        h.createUpdate(
                "INSERT INTO phone_numbers (e164, source, created_at) VALUES (:e164, 'gateway', 0)")
            .bind("e164", e164)
            .execute();
      }
      Migrations.migrate(url);

      Map<String, String> countries =
          h.createQuery("SELECT e164, country FROM phone_numbers")
              .setMapKeyColumn("e164")
              .setMapValueColumn("country")
              .collectInto(new org.jdbi.v3.core.generic.GenericType<Map<String, String>>() {});
      assertThat(countries)
          .containsEntry("+12125550100", "US")
          .containsEntry("+442071838750", "GB")
          .containsEntry("+79161234567", "RU");
      assertThat(
              h.createQuery("SELECT protocol_code FROM services WHERE name = 'Uber'")
                  .mapTo(String.class)
                  .one())
          .isEqualTo("ub");
      // X and Twitter both read as tw: one of them has it, never both.
      assertThat(
              h.createQuery("SELECT COUNT(*) FROM services WHERE protocol_code = 'tw'")
                  .mapTo(Long.class)
                  .one())
          .isEqualTo(1);
      assertThat(
              h.createQuery("SELECT protocol_code FROM services WHERE name = 'Lyft'")
                  .mapTo(String.class)
                  .findOne())
          .isEmpty();
    }
  }
}
