package com.ohmyotp.inventory;

import com.ohmyotp.catalog.Service;
import com.ohmyotp.db.ByPosition;
import com.ohmyotp.db.Database;
import com.ohmyotp.db.Pipeline;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.Query;
import org.jdbi.v3.core.statement.SqlStatement;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * The numbers in inventory and who holds them. A number is held by at most one rental: a claim is
 * one conditional update that succeeds only when no unexpired hold exists, so two concurrent
 * requests can never both get it.
 *
 * <p>Numbers come into and leave inventory through {@link NumberStock}; how many are free for each
 * service is counted in {@code rentals.Availability}, which knows which rentals hold their numbers.
 * Over 300 lines because the search for a fresh number is most of it: a random start, a first
 * window and the ranges past it, each written so that PostgreSQL without statistics still plans it
 * as a short walk.
 */
public final class Inventory {

  /**
   * A fresh number {@code p} for a service: in inventory, lasting the whole window, not held, never
   * rented for the service. The service's use of the number is a scalar subquery, so it stays one
   * index probe per number looked at: PostgreSQL turns {@code NOT EXISTS} into an anti-join, and
   * without fresh statistics (a new database, autovacuum behind) it chose one that rescans all the
   * service's uses for every number, 100 ms a claim with a few hundred uses.
   */
  private static final String FRESH =
      """
      p.source = :source AND p.retired_at IS NULL AND p.counted
        AND (p.expires_at IS NULL OR p.expires_at >= :until)
        AND (p.held_until IS NULL OR p.held_until <= :now)
        AND (SELECT u.number_id FROM number_usage u
             WHERE u.number_id = p.id AND u.service_id = :service) IS NULL
      """;

  /** {@link #FRESH}, and in the given country ({@code p.country}, ISO 3166) when one is asked. */
  private static String fresh(Optional<String> country) {
    return country.isPresent() ? FRESH + "  AND p.country = :country\n" : FRESH;
  }

  /**
   * How many ids a claim looks at first. PostgreSQL without statistics on the numbers (a new
   * database, autovacuum behind) plans the search as a bitmap scan of every id past the start, each
   * checked and then sorted, instead of a walk that stops at the first match: 8 ms a claim with
   * 10,000 numbers. Within the window no plan looks at more than this many numbers; only when it
   * holds no fresh number does the search go on past it, where the plan matters again.
   */
  static final long FIRST_WINDOW = 128;

  /** A number as allocation sees it. */
  public record NumberRef(long id, String e164, String source) {}

  /**
   * What the re-rent rules need to know about one number, for one account and service.
   *
   * @param retired true when the operator took the number out of inventory
   */
  public record PhoneState(
      long numberId,
      String source,
      boolean retired,
      Long expiresAt,
      Long heldUntil,
      boolean rentedBeforeByCaller) {}

  private final Database db;
  private final PhoneNumbers phones;
  private final Clock clock;
  private final IdRange idRange;

  public Inventory(Database db, PhoneNumbers phones, Clock clock) {
    this.db = db;
    this.phones = phones;
    this.clock = clock;
    this.idRange = new IdRange(clock);
  }

  /** The counted numbers of each source, and how many of them each service rented before. */
  public record Counted(Map<String, Long> numbersBySource, Map<Integer, Long> usedByService) {}

  /** The counts that availability starts from ({@link InventoryCounts}). */
  public Counted counted(Handle h) {
    return new Counted(InventoryCounts.numbers(h), InventoryCounts.usage(h));
  }

  /** How many numbers are in inventory, held or not: every number not retired. */
  public long numbersInInventory() {
    return db.read(
        h ->
            h.createQuery("SELECT COUNT(*) FROM phone_numbers WHERE retired_at IS NULL")
                .mapTo(Long.class)
                .one());
  }

  public PhoneNumbers phones() {
    return phones;
  }

  /**
   * Claims a number that has never been rented for {@code service}, is not held and lasts the whole
   * window, and records the caller as its first renter for that service. The transaction must also
   * call {@link #countFreshClaim} before it commits.
   *
   * @param country the number's country (ISO 3166 two letters), or empty for any
   */
  public Optional<NumberRef> claimFresh(
      Handle h,
      Service service,
      Optional<String> country,
      long accountId,
      String rentalId,
      long now,
      long until) {
    // Start the search at a random number: concurrent requests then rarely want the same row,
    // and the walk stays short however many numbers this service has used up before. The first
    // look is a window of a few ids, then the rest up to the end, then from the beginning.
    long start = idRange.randomId(h);
    long windowEnd = start + FIRST_WINDOW;
    FreshClaim claim = new FreshClaim(h, service, country, accountId, rentalId, now, until);
    Optional<Claimed> claimed =
        claim
            .firstIn(start, windowEnd)
            .or(() -> claim.firstIn(windowEnd, Long.MAX_VALUE))
            .or(() -> claim.firstIn(Long.MIN_VALUE, start));
    if (claimed.isEmpty()) {
      if (anyFresh(h, service, country, now, until)) {
        throw new Database.RetryableConflict("the fresh numbers found were taken");
      }
      return Optional.empty();
    }
    NumberRef number = claimed.get().number();
    boolean recorded =
        switch (db.dialect()) {
          case POSTGRESQL -> claimed.get().firstRenterRecorded();
          case H2 -> recordFirstRenter(h, number.id(), service.id(), accountId, now) == 1;
        };
    if (!recorded) {
      // Someone rented it for this service between the search and the claim.
      throw new Database.RetryableConflict("number " + number.id() + " was taken");
    }
    return Optional.of(number);
  }

  /** A number claimed, and whether the claim's statement recorded its first renter too. */
  private record Claimed(NumberRef number, boolean firstRenterRecorded) {}

  /** The arguments of one fresh claim, which may look in up to three ranges of ids. */
  private final class FreshClaim {
    private final Handle h;
    private final Service service;
    private final Optional<String> country;
    private final long accountId;
    private final String rentalId;
    private final long now;
    private final long until;

    FreshClaim(
        Handle h,
        Service service,
        Optional<String> country,
        long accountId,
        String rentalId,
        long now,
        long until) {
      this.h = h;
      this.service = service;
      this.country = country;
      this.accountId = accountId;
      this.rentalId = rentalId;
      this.now = now;
      this.until = until;
    }

    /**
     * Claims the first fresh number with an id from {@code from} (included) to {@code to}
     * (excluded) in one statement. Empty when there is none or when a concurrent request claimed
     * the one found. Ordering by the whole (source, id) index, though source is fixed, lets H2 see
     * that the index is in order already and stop at the first match instead of sorting.
     */
    Optional<Claimed> firstIn(long from, long to) {
      return switch (db.dialect()) {
        case POSTGRESQL ->
            bind(h.createQuery(CLAIM_FRESH_AND_RECORD_POSTGRESQL), from, to)
                .bind("account", accountId)
                .map((rs, ctx) -> new Claimed(number(rs), rs.getBoolean("recorded")))
                .findOne();
        case H2 ->
            bind(h.createUpdate(CLAIM_FRESH), from, to)
                .executeAndReturnGeneratedKeys("id", "e164", "source")
                .map((rs, ctx) -> new Claimed(number(rs), false))
                .findOne();
      };
    }

    private static NumberRef number(ResultSet rs) throws SQLException {
      return new NumberRef(rs.getLong("id"), rs.getString("e164"), rs.getString("source"));
    }

    private <S extends SqlStatement<S>> S bind(S statement, long from, long to) {
      country.ifPresent(c -> statement.bind("country", c));
      return statement
          .define("fresh", fresh(country))
          .bind("from", from)
          .bind("to", to)
          .bind("rental", rentalId)
          .bind("source", service.source())
          .bind("until", until)
          .bind("now", now)
          .bind("service", service.id());
    }
  }

  /**
   * Counts a number claimed by {@link #claimFresh} as used for its service. Every fresh rental of
   * the service writes one of the service's few count rows, so the caller does it last in the
   * transaction, and the row is locked only until the commit.
   */
  public void countFreshClaim(Pipeline writes, Service service) {
    InventoryCounts.addUsage(writes, db.dialect(), service.id(), 1);
  }

  private static final String CLAIM_FRESH =
      """
      UPDATE phone_numbers SET held_by = :rental, held_until = :until
      WHERE id = (SELECT p.id FROM phone_numbers p
                  WHERE <fresh> AND p.id >= :from AND p.id < :to
                  ORDER BY p.source, p.id
                  LIMIT 1)
        AND retired_at IS NULL AND (held_until IS NULL OR held_until <= :now)
      """;

  /**
   * {@link #CLAIM_FRESH}, and the first renter recorded in the same statement: a rent's statements
   * are most of its cost on PostgreSQL, and each one is a round trip. {@code recorded} is false
   * when a concurrent rental recorded the number for the service first.
   */
  private static final String CLAIM_FRESH_AND_RECORD_POSTGRESQL =
      """
      WITH claimed AS (
      """
          + CLAIM_FRESH
          + """
        RETURNING id, e164, source),
      recorded AS (
        INSERT INTO number_usage (number_id, service_id, account_id, first_rented_at)
        SELECT id, :service, :account, :now FROM claimed
        ON CONFLICT DO NOTHING
        RETURNING number_id)
      SELECT id, e164, source, EXISTS (SELECT 1 FROM recorded) AS recorded FROM claimed
      """;

  private static boolean anyFresh(
      Handle h, Service service, Optional<String> country, long now, long until) {
    Query query = h.createQuery("SELECT p.id FROM phone_numbers p WHERE <fresh> LIMIT 1");
    country.ifPresent(c -> query.bind("country", c));
    return query
        .define("fresh", fresh(country))
        .bind("source", service.source())
        .bind("until", until)
        .bind("now", now)
        .bind("service", service.id())
        .mapTo(Long.class)
        .findOne()
        .isPresent();
  }

  /**
   * The countries of the counted numbers of each source (ISO 3166 two letters); numbers of no one
   * country are left out.
   */
  public Map<String, java.util.Set<String>> countriesBySource(Handle h) {
    Map<String, java.util.Set<String>> countries = new HashMap<>();
    h.createQuery(
            "SELECT DISTINCT source, country FROM phone_numbers WHERE counted AND country IS NOT NULL")
        .map((rs, ctx) -> Map.entry(rs.getString("source"), rs.getString("country")))
        .forEach(
            e ->
                countries
                    .computeIfAbsent(e.getKey(), k -> new java.util.TreeSet<>())
                    .add(e.getValue()));
    return countries;
  }

  /**
   * The fresh numbers for {@code service} by country, counted one by one: a walk over the source's
   * numbers, for inventories of several countries only (with one country, the service's count is
   * that country's).
   */
  public Map<String, Long> freshByCountry(Handle h, Service service, long now, long until) {
    return h.createQuery(
            "SELECT p.country, COUNT(*) AS numbers FROM phone_numbers p"
                + " WHERE <fresh> AND p.country IS NOT NULL GROUP BY p.country")
        .define("fresh", FRESH)
        .bind("source", service.source())
        .bind("until", until)
        .bind("now", now)
        .bind("service", service.id())
        .map((rs, ctx) -> Map.entry(rs.getString("country"), rs.getLong("numbers")))
        .collectToMap(Map.Entry::getKey, Map.Entry::getValue);
  }

  private static int recordFirstRenter(
      Handle h, long numberId, int serviceId, long accountId, long now) {
    try {
      return h.createUpdate(
              """
                INSERT INTO number_usage (number_id, service_id, account_id, first_rented_at)
                SELECT :number, :service, :account, :now
                WHERE NOT EXISTS (SELECT 1 FROM number_usage
                                  WHERE number_id = :number AND service_id = :service)
                """)
          .bind("number", numberId)
          .bind("service", serviceId)
          .bind("account", accountId)
          .bind("now", now)
          .execute();
    } catch (RuntimeException e) {
      if (Database.isUniqueViolation(e)) {
        return 0;
      }
      throw e;
    }
  }

  /**
   * Takes into the table, and claims for the rental, a number bought from elsewhere for it (an
   * upstream provider's). Such a number is never counted and never in inventory: it is not ours to
   * rent again once its rental ends. Empty when the number is held by another rental or known under
   * another source.
   */
  public Optional<NumberRef> adopt(
      Handle h, String e164, String source, String rentalId, long now, long until) {
    String country = PhoneNumbers.country(e164).orElse(null);
    if (db.dialect() == Database.Dialect.POSTGRESQL) {
      // One statement, one round trip inside the rental's transaction: taken in and claimed, or
      // claimed when known, free, of this source and not counted; no row otherwise.
      return h.createQuery(
              """
              INSERT INTO phone_numbers (e164, source, country, created_at, retired_at, counted,
                  held_by, held_until)
              VALUES (:e164, :source, :country, :now, :now, FALSE, :rental, :until)
              ON CONFLICT (e164) DO UPDATE SET held_by = :rental, held_until = :until
              WHERE phone_numbers.source = :source AND phone_numbers.counted = FALSE
                AND (phone_numbers.held_until IS NULL OR phone_numbers.held_until <= :now)
              RETURNING id, e164, source
              """)
          .bind("e164", e164)
          .bind("source", source)
          .bind("country", country)
          .bind("now", now)
          .bind("rental", rentalId)
          .bind("until", until)
          .map(Inventory::numberRef)
          .findOne();
    }
    h.createUpdate(
            """
            INSERT INTO phone_numbers (e164, source, country, created_at, retired_at, counted)
            SELECT :e164, :source, :country, :now, :now, FALSE
            WHERE NOT EXISTS (SELECT 1 FROM phone_numbers WHERE e164 = :e164)
            """)
        .bind("e164", e164)
        .bind("source", source)
        .bind("country", country)
        .bind("now", now)
        .execute();
    return h.createUpdate(
            """
            UPDATE phone_numbers SET held_by = :rental, held_until = :until
            WHERE e164 = :e164 AND source = :source AND counted = FALSE
              AND (held_until IS NULL OR held_until <= :now)
            """)
        .bind("rental", rentalId)
        .bind("until", until)
        .bind("e164", e164)
        .bind("source", source)
        .bind("now", now)
        .executeAndReturnGeneratedKeys("id", "e164", "source")
        .map(Inventory::numberRef)
        .findOne();
  }

  private static NumberRef numberRef(ResultSet rs, StatementContext ctx) throws SQLException {
    return new NumberRef(rs.getLong("id"), rs.getString("e164"), rs.getString("source"));
  }

  /** Claims one given number; false when it is held. */
  public boolean claim(Handle h, long numberId, String rentalId, long now, long until) {
    return h.createUpdate(
                """
            UPDATE phone_numbers SET held_by = :rental, held_until = :until
            WHERE id = :id AND retired_at IS NULL AND (held_until IS NULL OR held_until <= :now)
            """)
            .bind("rental", rentalId)
            .bind("until", until)
            .bind("id", numberId)
            .bind("now", now)
            .execute()
        == 1;
  }

  /** Moves the end of the rental's hold on a number it has just claimed. */
  public void extendHold(Handle h, long numberId, String rentalId, long until) {
    h.createUpdate(
            "UPDATE phone_numbers SET held_until = :until WHERE id = :id AND held_by = :rental")
        .bind("until", until)
        .bind("id", numberId)
        .bind("rental", rentalId)
        .execute();
  }

  /**
   * Lets go of a number the rental holds when {@code writes} runs (a no-op when another rental
   * holds it by then).
   */
  public void release(Pipeline writes, long numberId, String rentalId) {
    writes
        .add(
            "UPDATE phone_numbers SET held_by = NULL, held_until = NULL WHERE id = :id AND held_by = :rental")
        .bind("id", numberId)
        .bind("rental", rentalId);
  }

  /** Re-rent facts for the given E.164 numbers, by number; numbers not in the table are absent. */
  public Map<String, PhoneState> states(
      Handle h, long accountId, int serviceId, List<String> e164s) {
    Map<String, PhoneState> states = new HashMap<>();
    if (e164s.isEmpty()) {
      return states;
    }
    // One key lookup of the first renter per number, however many numbers the service has used:
    // as a join, PostgreSQL may read all of the service's uses to match a hundred numbers.
    h.createQuery(
            """
            SELECT p.id, p.e164, p.source, p.retired_at, p.expires_at, p.held_until,
                   EXISTS (SELECT 1 FROM number_usage u
                           WHERE u.number_id = p.id AND u.service_id = :service
                             AND u.account_id = :account) AS rented_before,
                   EXISTS (SELECT 1 FROM gateways g
                           WHERE g.id = p.gateway_id AND g.down) AS gateway_down
            FROM phone_numbers p
            WHERE p.e164 IN (<numbers>)
            """)
        .bindList("numbers", e164s)
        .bind("service", serviceId)
        .bind("account", accountId)
        .map(
            ByPosition.mapper(
                rs -> {
                  int id = rs.findColumn("id");
                  int e164 = rs.findColumn("e164");
                  int source = rs.findColumn("source");
                  int retiredAt = rs.findColumn("retired_at");
                  int expiresAt = rs.findColumn("expires_at");
                  int heldUntil = rs.findColumn("held_until");
                  int rentedBefore = rs.findColumn("rented_before");
                  int gatewayDown = rs.findColumn("gateway_down");
                  return (row, ctx) ->
                      Map.entry(
                          row.getString(e164),
                          new PhoneState(
                              row.getLong(id),
                              row.getString(source),
                              // A number whose gateway is down is out of inventory until it is
                              // back: no SMS could reach a rental of it.
                              ByPosition.nullableLong(row, retiredAt) != null
                                  || row.getBoolean(gatewayDown),
                              ByPosition.nullableLong(row, expiresAt),
                              ByPosition.nullableLong(row, heldUntil),
                              row.getBoolean(rentedBefore)));
                }))
        .forEach(e -> states.put(e.getKey(), e.getValue()));
    return states;
  }
}
