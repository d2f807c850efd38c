package com.ohmyotp.inventory;

import com.ohmyotp.db.Database;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.jdbi.v3.core.Handle;

/**
 * The counts the available numbers are computed from (V7): counted numbers per source, and
 * counted numbers rented for each service before. Changed only inside the transactions that
 * change what they count, so they are exact on every node. Each count is the sum of a few stripe
 * rows; a change goes to a random stripe, so concurrent rentals of one service seldom wait for
 * the same row lock.
 */
final class InventoryCounts {

  // With eight stripes and eight customers renting one service at once, PostgreSQL's log showed
  // count updates waiting 15-68 ms for another rental's commit; 64 make such meetings eight times
  // rarer, and a count still sums few rows.
  private static final int STRIPES = 64;

  private InventoryCounts() {}

  static void addNumbers(Handle h, String source, long delta) {
    add(h, "source_numbers", "source", source, delta);
  }

  static void addUsage(Handle h, int serviceId, long delta) {
    add(h, "service_usage", "service_id", serviceId, delta);
  }

  /** Counted numbers by source. */
  static Map<String, Long> numbers(Handle h) {
    return h.createQuery("SELECT source, SUM(numbers) AS numbers FROM source_numbers GROUP BY source")
        .map((rs, ctx) -> Map.entry(rs.getString("source"), rs.getLong("numbers")))
        .collectToMap(Map.Entry::getKey, Map.Entry::getValue);
  }

  /** Counted numbers rented for each service before, by service id. */
  static Map<Integer, Long> usage(Handle h) {
    return h.createQuery("SELECT service_id, SUM(numbers) AS numbers FROM service_usage GROUP BY service_id")
        .map((rs, ctx) -> Map.entry(rs.getInt("service_id"), rs.getLong("numbers")))
        .collectToMap(Map.Entry::getKey, Map.Entry::getValue);
  }

  private static void add(Handle h, String table, String keyColumn, Object key, long delta) {
    if (delta == 0) {
      return;
    }
    int stripe = ThreadLocalRandom.current().nextInt(STRIPES);
    int updated = h.createUpdate("UPDATE <table> SET numbers = numbers + :delta WHERE <key> = :value AND stripe = :stripe")
        .define("table", table)
        .define("key", keyColumn)
        .bind("delta", delta)
        .bind("value", key)
        .bind("stripe", stripe)
        .execute();
    if (updated == 1) {
      return;
    }
    // The stripe's first change: its row starts here.
    try {
      h.createUpdate("INSERT INTO <table> (<key>, stripe, numbers) VALUES (:value, :stripe, :delta)")
          .define("table", table)
          .define("key", keyColumn)
          .bind("delta", delta)
          .bind("value", key)
          .bind("stripe", stripe)
          .execute();
    } catch (RuntimeException e) {
      if (Database.isUniqueViolation(e)) {
        throw new Database.RetryableConflict("a concurrent transaction started " + table + " stripe " + stripe);
      }
      throw e;
    }
  }
}
