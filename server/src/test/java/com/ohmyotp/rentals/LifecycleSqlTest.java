package com.ohmyotp.rentals;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The SQL forms of the lifecycle rules choose exactly the rentals their Java forms do: for every
 * status, and a window that closes before, at and after the time asked about.
 */
class LifecycleSqlTest {

  private static final long NOW = 1_000;
  private static final long[] WINDOW_ENDS = {NOW - 1, NOW, NOW + 1};

  private record Row(String id, RentalStatus status, long expiresAt) {}

  private static final List<Row> ROWS = new ArrayList<>();

  @BeforeAll
  static void everyStatusAndWindow() {
    for (RentalStatus status : RentalStatus.values()) {
      for (long end : WINDOW_ENDS) {
        ROWS.add(new Row(status.wire() + "@" + (end - NOW), status, end));
      }
    }
  }

  @Test
  void holdsNumber() {
    Set<String> java = new HashSet<>();
    ROWS.stream()
        .filter(r -> Lifecycle.holdsNumber(r.status(), r.expiresAt(), NOW))
        .forEach(r -> java.add(r.id()));
    assertThat(select(Lifecycle.HOLDS_NUMBER)).isEqualTo(java).isNotEmpty();
  }

  @Test
  void dueForExpiry() {
    Set<String> java = new HashSet<>();
    ROWS.stream()
        .filter(r -> Lifecycle.isDueForExpiry(r.status(), r.expiresAt(), NOW))
        .forEach(r -> java.add(r.id()));
    assertThat(select(Lifecycle.DUE_FOR_EXPIRY)).isEqualTo(java).isNotEmpty();
  }

  @Test
  void anSmsLeavesTheRentalHoldingItsNumberUntilItsWindowCloses() {
    assertThat(Lifecycle.holdsNumber(Lifecycle.AFTER_SMS, NOW + 1, NOW)).isTrue();
    assertThat(Lifecycle.isDueForExpiry(Lifecycle.AFTER_SMS, NOW - 1, NOW)).isFalse();
  }

  /** The ids of the rows {@code condition} chooses, from a table of rentals called {@code r}. */
  private static Set<String> select(String condition) {
    Jdbi jdbi = Jdbi.create("jdbc:h2:mem:lifecycle-" + condition.hashCode() + ";MODE=PostgreSQL");
    try (Handle h = jdbi.open()) {
      h.execute("CREATE TABLE rentals (id VARCHAR(40), status VARCHAR(20), expires_at BIGINT)");
      for (Row row : ROWS) {
        h.createUpdate("INSERT INTO rentals VALUES (:id, :status, :expires)")
            .bind("id", row.id())
            .bind("status", row.status().wire())
            .bind("expires", row.expiresAt())
            .execute();
      }
      return new HashSet<>(
          h.createQuery("SELECT r.id FROM rentals r WHERE " + condition)
              .bind("now", NOW)
              .mapTo(String.class)
              .list());
    }
  }
}
