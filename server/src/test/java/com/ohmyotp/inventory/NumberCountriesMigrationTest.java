package com.ohmyotp.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import com.ohmyotp.support.Migrations;
import java.util.Map;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

/** Numbers stored without a country get their calling code's; a country stored is kept. */
class NumberCountriesMigrationTest {

  @Test
  void numbersWithoutACountryGetTheirCallingCodesAndOthersKeepTheirs() {
    String url = Migrations.memoryDatabase("number-countries-migration");
    Migrations.migrateTo(url, "15");
    try (Handle h = Jdbi.create(url).open()) {
      h.execute(
          "INSERT INTO phone_numbers (e164, source, country, created_at) VALUES"
              + " ('+12125550100', 'gateway', NULL, 0), ('+13026873874', 'gateway', 'US', 0),"
              + " ('+80012345678', 'gateway', NULL, 0), ('+447400123456', 'gateway', 'GB', 0)");
      Migrations.migrate(url);
      Map<String, String> countries =
          h
              .createQuery("SELECT e164, COALESCE(country, '-') AS country FROM phone_numbers")
              .mapToMap()
              .stream()
              .collect(
                  Collectors.toMap(r -> (String) r.get("e164"), r -> (String) r.get("country")));
      assertThat(countries)
          .containsExactlyInAnyOrderEntriesOf(
              Map.of(
                  "+12125550100", "US",
                  "+13026873874", "US",
                  "+80012345678", "-",
                  "+447400123456", "GB"));
    }
  }
}
