package com.ohmyotp.inventory;

import com.ohmyotp.db.Database;
import com.ohmyotp.db.Pipeline;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.jdbi.v3.core.Handle;

/**
 * The counts the available numbers are computed from (V7): counted numbers per source, and counted
 * numbers rented for each service before. Changed only inside the transactions that change what
 * they count, so they are exact on every node. Each count is the sum of a few stripe rows; a change
 * goes to a random stripe, so concurrent rentals of one service seldom wait for the same row lock.
 */
final class InventoryCounts {

  // With eight stripes and eight customers renting one service at once, PostgreSQL's log showed
  // count updates waiting 15-68 ms for another rental's commit; 64 make such meetings eight times
  // rarer, and a count still sums few rows.
  private static final int STRIPES = 64;

  private InventoryCounts() {}

  static void addNumbers(Handle h, Database.Dialect dialect, String source, long delta) {
    Pipeline writes = Pipeline.oneAtATime(h);
    add(writes, dialect, "source_numbers", "source", source, delta);
    writes.run();
  }

  static void addUsage(Handle h, Database.Dialect dialect, int serviceId, long delta) {
    Pipeline writes = Pipeline.oneAtATime(h);
    addUsage(writes, dialect, serviceId, delta);
    writes.run();
  }

  /** Adds to a service's usage when {@code writes} runs. */
  static void addUsage(Pipeline writes, Database.Dialect dialect, int serviceId, long delta) {
    add(writes, dialect, "service_usage", "service_id", serviceId, delta);
  }

  /** Counted numbers by source. */
  static Map<String, Long> numbers(Handle h) {
    return h.createQuery(
            "SELECT source, SUM(numbers) AS numbers FROM source_numbers GROUP BY source")
        .map((rs, ctx) -> Map.entry(rs.getString("source"), rs.getLong("numbers")))
        .collectToMap(Map.Entry::getKey, Map.Entry::getValue);
  }

  /** Counted numbers rented for each service before, by service id. */
  static Map<Integer, Long> usage(Handle h) {
    return h.createQuery(
            "SELECT service_id, SUM(numbers) AS numbers FROM service_usage GROUP BY service_id")
        .map((rs, ctx) -> Map.entry(rs.getInt("service_id"), rs.getLong("numbers")))
        .collectToMap(Map.Entry::getKey, Map.Entry::getValue);
  }

  // Table and column names come from this class, never from input.
  private static void add(
      Pipeline writes,
      Database.Dialect dialect,
      String table,
      String keyColumn,
      Object key,
      long delta) {
    if (delta == 0) {
      return;
    }
    int stripe = ThreadLocalRandom.current().nextInt(STRIPES);
    switch (dialect) {
      // One statement that also starts the stripe's row: in a pipeline, a second statement would
      // come after the account's locks, which other rentals take after this row's.
      case POSTGRESQL ->
          bindKey(
                  writes.add(
                      "INSERT INTO "
                          + table
                          + " ("
                          + keyColumn
                          + ", stripe, numbers) "
                          + "VALUES (:value, :stripe, :delta) ON CONFLICT ("
                          + keyColumn
                          + ", stripe) "
                          + "DO UPDATE SET numbers = "
                          + table
                          + ".numbers + EXCLUDED.numbers"),
                  key)
              .bind("delta", delta)
              .bind("stripe", stripe);
      case H2 ->
          bindKey(
                  writes.add(
                      "UPDATE "
                          + table
                          + " SET numbers = numbers + :delta WHERE "
                          + keyColumn
                          + " = :value AND stripe = :stripe"),
                  key)
              .bind("delta", delta)
              .bind("stripe", stripe)
              .then(
                  updated -> {
                    if (updated == 0) {
                      startStripe(writes.handle(), table, keyColumn, key, stripe, delta);
                    }
                  });
    }
  }

  private static Pipeline.Step bindKey(Pipeline.Step step, Object key) {
    return switch (key) {
      case String s -> step.bind("value", s);
      case Integer i -> step.bind("value", i);
      default ->
          throw new IllegalArgumentException("a count key is a source or a service id: " + key);
    };
  }

  /** The stripe's first change: its row starts here. */
  private static void startStripe(
      Handle h, String table, String keyColumn, Object key, int stripe, long delta) {
    try {
      h.createUpdate(
              "INSERT INTO <table> (<key>, stripe, numbers) VALUES (:value, :stripe, :delta)")
          .define("table", table)
          .define("key", keyColumn)
          .bind("delta", delta)
          .bind("value", key)
          .bind("stripe", stripe)
          .execute();
    } catch (RuntimeException e) {
      if (Database.isUniqueViolation(e)) {
        throw new Database.RetryableConflict(
            "a concurrent transaction started " + table + " stripe " + stripe);
      }
      throw e;
    }
  }
}
