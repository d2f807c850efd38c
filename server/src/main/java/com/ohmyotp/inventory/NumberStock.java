package com.ohmyotp.inventory;

import com.ohmyotp.db.Database;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * Numbers coming into inventory and leaving it: imported by the operator, retired by the operator,
 * and taken out of the counts when they expire. Each change moves the counts that availability
 * reads ({@link InventoryCounts}) in the same transaction.
 */
public final class NumberStock {

  /** The outcome of importing one number. */
  public record ImportResult(String phoneNumber, String status, String message) {}

  private final Database db;
  private final PhoneNumbers phones;
  private final Clock clock;

  public NumberStock(Database db, PhoneNumbers phones, Clock clock) {
    this.db = db;
    this.phones = phones;
    this.clock = clock;
  }

  public PhoneNumbers phones() {
    return phones;
  }

  /** Imports numbers in one transaction; see {@link #importNumbers(Handle, String, List, long)}. */
  public List<ImportResult> importNumbers(String source, List<ImportRow> rows) {
    long now = clock.instant().getEpochSecond();
    return db.inLargeTransaction(h -> importNumbers(h, source, rows, now));
  }

  /** Retires a number; false when it is unknown or retired already. */
  public boolean retire(String e164) {
    long now = clock.instant().getEpochSecond();
    return db.inTransaction(h -> retire(h, e164, now));
  }

  /**
   * Adds numbers to inventory. Each row is judged on its own: a malformed or duplicate number is
   * reported and skipped, never fatal to the rest.
   */
  public List<ImportResult> importNumbers(Handle h, String source, List<ImportRow> rows, long now) {
    List<ImportResult> results = new ArrayList<>();
    int imported = 0;
    for (ImportRow row : rows) {
      Optional<String> e164 = phones.toE164(row.phoneNumber());
      if (e164.isEmpty()) {
        results.add(new ImportResult(row.phoneNumber(), "invalid", "Not a valid phone number."));
        continue;
      }
      if (row.expiresAt() != null && row.expiresAt() <= now) {
        results.add(new ImportResult(row.phoneNumber(), "invalid", "expires_at is in the past."));
        continue;
      }
      int inserted =
          h.createUpdate(
                  """
              INSERT INTO phone_numbers (e164, source, country, expires_at, created_at)
              SELECT :e164, :source, :country, :expires, :now
              WHERE NOT EXISTS (SELECT 1 FROM phone_numbers WHERE e164 = :e164)
              """)
              .bind("e164", e164.get())
              .bind("country", PhoneNumbers.country(e164.get()).orElse(null))
              .bind("source", source)
              .bind("expires", row.expiresAt())
              .bind("now", now)
              .execute();
      imported += inserted;
      results.add(
          inserted == 1
              ? new ImportResult(phones.display(e164.get()), "imported", null)
              : new ImportResult(phones.display(e164.get()), "duplicate", "Already in inventory."));
    }
    InventoryCounts.addNumbers(h, db.dialect(), source, imported);
    return results;
  }

  /**
   * Imports the rows of a CSV file, all or none: empty when every one is in, otherwise the lines
   * whose number inventory has already, and nothing is written.
   *
   * @throws com.ohmyotp.api.ApiException 409 when a concurrent import took one of the numbers
   */
  public List<NumberImport.LineError> importAll(String source, List<NumberImport.Row> rows) {
    try {
      return importAllOnce(source, rows);
    } catch (RuntimeException e) {
      if (Database.isUniqueViolation(e)) {
        throw com.ohmyotp.api.ApiException.conflict(
            "numbers_taken",
            "Another import took some of these numbers at the same time; nothing was imported.");
      }
      throw e;
    }
  }

  private List<NumberImport.LineError> importAllOnce(String source, List<NumberImport.Row> rows) {
    long now = clock.instant().getEpochSecond();
    return db.inLargeTransaction(
        h -> {
          List<NumberImport.LineError> taken = new ArrayList<>();
          for (int from = 0; from < rows.size(); from += 1000) {
            List<NumberImport.Row> slice = rows.subList(from, Math.min(rows.size(), from + 1000));
            java.util.Set<String> known =
                new java.util.HashSet<>(
                    h.createQuery("SELECT e164 FROM phone_numbers WHERE e164 IN (<numbers>)")
                        .bindList("numbers", slice.stream().map(NumberImport.Row::e164).toList())
                        .mapTo(String.class)
                        .list());
            for (NumberImport.Row row : slice) {
              if (known.contains(row.e164()) && taken.size() < NumberImport.MAX_ERRORS) {
                taken.add(
                    new NumberImport.LineError(
                        row.line(), row.e164() + " is in inventory already."));
              }
            }
          }
          if (!taken.isEmpty()) {
            return taken;
          }
          org.jdbi.v3.core.statement.PreparedBatch batch =
              h.prepareBatch(
                  """
                  INSERT INTO phone_numbers (e164, source, country, expires_at, gateway_id,
                      created_at)
                  VALUES (:e164, :source, :country, :expires, :gateway, :now)
                  """);
          for (NumberImport.Row row : rows) {
            batch
                .bind("e164", row.e164())
                .bind("source", source)
                .bind("country", row.country())
                .bind("expires", row.expiresAt())
                .bind("gateway", row.gatewayId())
                .bind("now", now)
                .add();
          }
          batch.execute();
          InventoryCounts.addNumbers(h, db.dialect(), source, rows.size());
          return List.of();
        });
  }

  /** One number to import; {@code expiresAt} (Unix seconds) is when it leaves inventory. */
  public record ImportRow(String phoneNumber, Long expiresAt) {}

  /** Takes a number out of inventory; rentals holding it keep it until their window closes. */
  public boolean retire(Handle h, String e164, long now) {
    record Found(long id, String source, boolean counted) {}
    Optional<Found> found =
        h.createQuery(
                "SELECT id, source, counted FROM phone_numbers WHERE e164 = :e164 AND retired_at IS NULL FOR UPDATE")
            .bind("e164", e164)
            .map(
                (rs, ctx) ->
                    new Found(rs.getLong("id"), rs.getString("source"), rs.getBoolean("counted")))
            .findOne();
    if (found.isEmpty()) {
      return false;
    }
    h.createUpdate("UPDATE phone_numbers SET retired_at = :now, counted = FALSE WHERE id = :id")
        .bind("now", now)
        .bind("id", found.get().id())
        .execute();
    if (found.get().counted()) {
      uncount(h, found.get().id(), found.get().source());
    }
    return true;
  }

  /**
   * Takes up to {@code limit} numbers whose expiry has passed out of the counts, each in its own
   * transaction; returns how many it took out. They stay in the table as they were: a re-rent check
   * still says such a number expired.
   */
  public int uncountExpired(int limit) {
    long now = clock.instant().getEpochSecond();
    record Expired(long id, String source) {}
    List<Expired> expired =
        db.read(
            h ->
                h.createQuery(
                        "SELECT id, source FROM phone_numbers WHERE counted = TRUE AND expires_at <= :now ORDER BY expires_at LIMIT :limit")
                    .bind("now", now)
                    .bind("limit", limit)
                    .map((rs, ctx) -> new Expired(rs.getLong("id"), rs.getString("source")))
                    .list());
    int taken = 0;
    for (Expired number : expired) {
      // Conditional, so that a number another node or a retirement took out is not taken out twice.
      taken +=
          db.inTransaction(
              h -> {
                if (h.createUpdate(
                            "UPDATE phone_numbers SET counted = FALSE WHERE id = :id AND counted = TRUE")
                        .bind("id", number.id())
                        .execute()
                    == 0) {
                  return 0;
                }
                uncount(h, number.id(), number.source());
                return 1;
              });
    }
    return taken;
  }

  /**
   * Takes the counted numbers of a gateway that went down out of the counts, so that none is
   * offered; they stay in the table as they are.
   */
  public void pauseGateway(Handle h, int gatewayId) {
    List<Long> ids =
        h.createQuery(
                "SELECT id FROM phone_numbers WHERE gateway_id = :g AND counted = TRUE ORDER BY id FOR UPDATE")
            .bind("g", gatewayId)
            .mapTo(Long.class)
            .list();
    recount(h, ids, false);
  }

  /**
   * Counts again the numbers of a gateway that came back up, except those retired or expired in the
   * meantime.
   */
  public void resumeGateway(Handle h, int gatewayId, long now) {
    List<Long> ids =
        h.createQuery(
                """
                SELECT id FROM phone_numbers
                WHERE gateway_id = :g AND counted = FALSE AND retired_at IS NULL
                  AND (expires_at IS NULL OR expires_at > :now)
                ORDER BY id FOR UPDATE
                """)
            .bind("g", gatewayId)
            .bind("now", now)
            .mapTo(Long.class)
            .list();
    recount(h, ids, true);
  }

  /** Puts gateway numbers into the counts or takes them out, with the usage counts they carry. */
  private void recount(Handle h, List<Long> ids, boolean counted) {
    if (ids.isEmpty()) {
      return;
    }
    long sign = counted ? 1 : -1;
    java.util.Map<Integer, Long> usage = new java.util.TreeMap<>();
    // In slices: a gateway may serve more numbers than a statement takes parameters.
    for (int from = 0; from < ids.size(); from += 1000) {
      List<Long> slice = ids.subList(from, Math.min(ids.size(), from + 1000));
      h.createUpdate("UPDATE phone_numbers SET counted = :counted WHERE id IN (<ids>)")
          .bind("counted", counted)
          .bindList("ids", slice)
          .execute();
      h.createQuery(
              "SELECT service_id, COUNT(*) AS numbers FROM number_usage WHERE number_id IN (<ids>) GROUP BY service_id")
          .bindList("ids", slice)
          .map((rs, ctx) -> java.util.Map.entry(rs.getInt("service_id"), rs.getLong("numbers")))
          .forEach(e -> usage.merge(e.getKey(), e.getValue(), Long::sum));
    }
    InventoryCounts.addNumbers(
        h, db.dialect(), com.ohmyotp.sources.Gateway.NAME, sign * ids.size());
    // Count rows in ascending order of their key (the TreeMap's): the lock order of
    // rentals/package-info.
    usage.forEach((service, n) -> InventoryCounts.addUsage(h, db.dialect(), service, sign * n));
  }

  /**
   * Takes a number that has just stopped being counted out of its source's and services' counts.
   */
  private void uncount(Handle h, long numberId, String source) {
    InventoryCounts.addNumbers(h, db.dialect(), source, -1);
    // Count rows in ascending order of their key: the lock order of rentals/package-info.
    h.createQuery("SELECT service_id FROM number_usage WHERE number_id = :id ORDER BY service_id")
        .bind("id", numberId)
        .mapTo(Integer.class)
        .list()
        .forEach(service -> InventoryCounts.addUsage(h, db.dialect(), service, -1));
  }
}
