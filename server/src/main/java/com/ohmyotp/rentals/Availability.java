package com.ohmyotp.rentals;

import com.ohmyotp.catalog.Service;
import com.ohmyotp.db.Database;
import com.ohmyotp.inventory.Inventory;
import java.time.Clock;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jdbi.v3.core.Handle;

/**
 * How many fresh numbers each service has right now: the {@code available} of {@code /services} and
 * of the dashboard. It lives beside the rentals because the busy numbers are found through the
 * rentals that hold them ({@link Lifecycle#HOLDS_NUMBER}).
 */
public final class Availability {

  private final Database db;
  private final Inventory inventory;
  private final Clock clock;

  public Availability(Database db, Inventory inventory, Clock clock) {
    this.db = db;
    this.inventory = inventory;
    this.clock = clock;
  }

  /** Fresh numbers per service right now, by service id. */
  public Map<Integer, Long> counts(List<Service> services) {
    long now = clock.instant().getEpochSecond();
    return db.read(h -> availability(h, services, now));
  }

  /**
   * Fresh numbers for each of {@code services} right now: the {@code available} of {@code
   * /services}. A fresh number is counted ({@link Inventory#counted}), free now and for the
   * service's whole window, and never rented for the service. So it is the counted numbers of the
   * source, less those rented for the service before, less the busy ones (held now, or expiring
   * within the window) the service never rented: the counts and the busy numbers, never every past
   * use.
   */
  Map<Integer, Long> availability(Handle h, List<Service> services, long now) {
    Map<Integer, Long> counts = new HashMap<>();
    if (services.isEmpty()) {
      return counts;
    }
    Inventory.Counted counted = inventory.counted(h);
    Map<String, Long> numbers = counted.numbersBySource();
    Map<Integer, Long> usage = counted.usedByService();
    Map<String, Long> held = heldBySource(h, now);
    Map<Integer, Long> heldUsed = heldUsedByService(h, now);
    long horizon = now + services.stream().mapToLong(Service::durationSeconds).max().orElseThrow();
    List<ExpiringNumber> expiring = expiringUnheld(h, now, horizon);
    for (Service s : services) {
      long windowEnd = now + s.durationSeconds();
      long heldUnused = held.getOrDefault(s.source(), 0L) - heldUsed.getOrDefault(s.id(), 0L);
      long expiringUnused =
          expiring.stream()
              .filter(
                  e ->
                      e.source().equals(s.source())
                          && e.expiresAt() < windowEnd
                          && !e.usedFor().contains(s.id()))
              .count();
      counts.put(
          s.id(),
          numbers.getOrDefault(s.source(), 0L)
              - usage.getOrDefault(s.id(), 0L)
              - heldUnused
              - expiringUnused);
    }
    return counts;
  }

  /**
   * Fresh numbers of each service by country (ISO 3166 two letters), given each service's total
   * ({@link #counts}). Where a service's numbers are all of one country, that country has the
   * total; otherwise the service's numbers are counted one by one.
   */
  public Map<Integer, Map<String, Long>> byCountry(
      List<Service> services, Map<Integer, Long> totals) {
    long now = clock.instant().getEpochSecond();
    return db.read(
        h -> {
          Map<String, Set<String>> countries = inventory.countriesBySource(h);
          Map<Integer, Map<String, Long>> counts = new HashMap<>();
          for (Service s : services) {
            Set<String> of = countries.getOrDefault(s.source(), Set.of());
            if (of.size() <= 1) {
              counts.put(
                  s.id(),
                  of.isEmpty()
                      ? Map.of()
                      : Map.of(of.iterator().next(), Math.max(0, totals.getOrDefault(s.id(), 0L))));
            } else {
              counts.put(s.id(), inventory.freshByCountry(h, s, now, now + s.durationSeconds()));
            }
          }
          return counts;
        });
  }

  /**
   * The counted numbers held now, found through the rentals that hold them: rentals' status and end
   * are indexed, a number's hold is not, so that claims and releases write no index entry.
   */
  private static final String HELD_NUMBERS =
      "SELECT p.id, p.source FROM rentals r\n"
          + "JOIN phone_numbers p ON p.id = r.number_id AND p.held_by = r.id\n"
          + ("WHERE " + Lifecycle.HOLDS_NUMBER + "\n")
          + "  AND p.held_until > :now AND p.counted = TRUE\n";

  private static Map<String, Long> heldBySource(Handle h, long now) {
    return h.createQuery(
            "SELECT source, COUNT(*) AS numbers FROM (" + HELD_NUMBERS + ") held GROUP BY source")
        .bind("now", now)
        .map((rs, ctx) -> Map.entry(rs.getString("source"), rs.getLong("numbers")))
        .collectToMap(Map.Entry::getKey, Map.Entry::getValue);
  }

  /** Per service, the held numbers it was rented for before (a number serves one source only). */
  private static Map<Integer, Long> heldUsedByService(Handle h, long now) {
    return h.createQuery(
            "SELECT u.service_id, COUNT(*) AS numbers FROM ("
                + HELD_NUMBERS
                + ") held "
                + "JOIN number_usage u ON u.number_id = held.id GROUP BY u.service_id")
        .bind("now", now)
        .map((rs, ctx) -> Map.entry(rs.getInt("service_id"), rs.getLong("numbers")))
        .collectToMap(Map.Entry::getKey, Map.Entry::getValue);
  }

  /** A counted number, not held, that leaves inventory soon, and the services it was rented for. */
  private record ExpiringNumber(String source, long expiresAt, Set<Integer> usedFor) {}

  /** The counted numbers not held now that expire before {@code horizon}: few at any time. */
  private static List<ExpiringNumber> expiringUnheld(Handle h, long now, long horizon) {
    record Row(long id, String source, long expiresAt, Integer usedFor) {}
    List<Row> rows =
        h.createQuery(
                """
            SELECT p.id, p.source, p.expires_at, u.service_id FROM phone_numbers p
            LEFT JOIN number_usage u ON u.number_id = p.id
            WHERE p.counted = TRUE AND p.expires_at < :horizon
              AND (p.held_until IS NULL OR p.held_until <= :now)
            """)
            .bind("now", now)
            .bind("horizon", horizon)
            .map(
                (rs, ctx) -> {
                  int service = rs.getInt("service_id");
                  return new Row(
                      rs.getLong("id"),
                      rs.getString("source"),
                      rs.getLong("expires_at"),
                      rs.wasNull() ? null : service);
                })
            .list();
    Map<Long, ExpiringNumber> expiring = new HashMap<>();
    for (Row row : rows) {
      ExpiringNumber number =
          expiring.computeIfAbsent(
              row.id(), id -> new ExpiringNumber(row.source(), row.expiresAt(), new HashSet<>()));
      if (row.usedFor() != null) {
        number.usedFor().add(row.usedFor());
      }
    }
    return List.copyOf(expiring.values());
  }
}
