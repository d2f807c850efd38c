package com.ohmyotp.rentals;

import static com.ohmyotp.rentals.RentalRows.JOIN_LAST_SMS;
import static com.ohmyotp.rentals.RentalRows.LAST_SMS_COLUMNS;
import static com.ohmyotp.rentals.RentalRows.RENTAL;
import static com.ohmyotp.rentals.RentalRows.SELECT;

import com.ohmyotp.db.ByPosition;
import com.ohmyotp.db.Database;
import com.ohmyotp.db.Pipeline;
import com.ohmyotp.ledger.Money;
import com.ohmyotp.push.EventLog;
import com.ohmyotp.push.EventType;
import com.ohmyotp.rentals.RentalRows.SmsColumns;
import com.ohmyotp.sms.SmsStore;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.Query;

/**
 * The SQL that writes rentals, locks them, and reads them one by one, for polls, for expiry and for
 * the active list. A change to a rental also tells {@link PollCache}, so that no poll is answered
 * from a memory of the rental as it was.
 *
 * <p>Over 300 lines because it is the one owner of the rentals table's SQL: each statement here
 * states a rule of the lifecycle or the lock order once, and is shared by renting, ending,
 * delivering SMS and polling.
 */
public final class RentalStore {

  private final PollCache polls;
  private final Database.Dialect dialect;
  private final EventLog events;

  /**
   * @param events where a rental's ending is written, in the transaction that ends it
   */
  public RentalStore(PollCache polls, Database.Dialect dialect, EventLog events) {
    this.polls = polls;
    this.events = events;
    this.dialect = dialect;
  }

  /**
   * What customers' polls of /code read, for many rentals in one round trip: each rental's owner,
   * status and expiry with its newest SMS. No service or number, so two tables rather than four.
   */
  private static final String POLL_STATE_COLUMNS =
      "SELECT r.id, r.account_id, r.status, r.expires_at, r.retry_after_sms, " + LAST_SMS_COLUMNS;

  /**
   * On PostgreSQL the ids come as one array, joined as a table: one statement for any number of
   * ids, and on a table without statistics yet (a new shop's) the planner hashes the ids rather
   * than building the whole IN list again for every row it scans.
   */
  private static final String SELECT_POLL_STATES_POSTGRESQL =
      POLL_STATE_COLUMNS
          + "\nFROM unnest(CAST(:ids AS TEXT[])) AS q(id)\nJOIN rentals r ON r.id = q.id\n"
          + JOIN_LAST_SMS;

  private static final String SELECT_POLL_STATES_H2 =
      POLL_STATE_COLUMNS + "\nFROM rentals r\n" + JOIN_LAST_SMS + "WHERE r.id IN (<ids>)";

  void insert(Pipeline writes, Rental r) {
    writes
        .add(
            """
            INSERT INTO rentals (id, activation_id, account_id, service_id, number_id, status, cost,
                                 rerent, rented_at, expires_at, sms_count)
            VALUES (:id, :activation, :account, :service, :number, :status, :cost, :rerent,
                    :rented, :expires, 0)
            """)
        .bind("id", r.id())
        .bind("activation", r.activationId())
        .bind("account", r.accountId())
        .bind("service", r.serviceId())
        .bind("number", r.numberId())
        .bind("status", r.status().wire())
        .bind("cost", r.cost().amount())
        .bind("rerent", r.rerent())
        .bind("rented", r.rentedAt())
        .bind("expires", r.expiresAt());
  }

  Optional<Rental> find(Handle h, String id) {
    return h.createQuery(SELECT + " WHERE r.id = :id").bind("id", id).map(RENTAL).findOne();
  }

  /** The id of the rental with the given activation id. */
  Optional<String> idOf(Handle h, long activationId) {
    return h.createQuery("SELECT id FROM rentals WHERE activation_id = :activation")
        .bind("activation", activationId)
        .mapTo(String.class)
        .findOne();
  }

  /**
   * Ends the window of a completed rental the caller holds locked at {@code now} when {@code
   * writes} runs: it no longer holds its number ({@link Lifecycle#finish}), and its customer, who
   * took its code, awaits no other.
   */
  void finish(Pipeline writes, String id, long now) {
    polls.changing(writes.handle(), id);
    writes
        .add(
            """
            UPDATE rentals SET expires_at = :now, ended_at = :now, retry_after_sms = NULL
            WHERE id = :id AND status = :completed
            """)
        .bind("now", now)
        .bind("id", id)
        .bind("completed", RentalStatus.COMPLETED.wire())
        .then(
            changed -> {
              if (changed != 1) {
                throw new Database.RetryableConflict("rental " + id + " changed while locked");
              }
            });
  }

  /**
   * Records that the customer awaits an SMS newer than the rental's newest, which the caller holds
   * locked ({@link Lifecycle#canAwaitAnotherSms}).
   */
  void awaitAnotherSms(Handle h, String id) {
    polls.changing(h, id);
    h.createUpdate("UPDATE rentals SET retry_after_sms = last_sms_id WHERE id = :id")
        .bind("id", id)
        .execute();
  }

  /** The rentals found among {@code ids}, each with its newest SMS, by id. */
  Map<String, PollState> findPollStates(Handle h, List<String> ids) {
    Map<String, PollState> found = new HashMap<>();
    Query query =
        switch (dialect) {
          case POSTGRESQL ->
              h.createQuery(SELECT_POLL_STATES_POSTGRESQL).bindArray("ids", String.class, ids);
          case H2 -> h.createQuery(SELECT_POLL_STATES_H2).bindList("ids", ids);
        };
    query
        .map(
            ByPosition.mapper(
                rs -> {
                  int id = rs.findColumn("id");
                  int accountId = rs.findColumn("account_id");
                  int status = rs.findColumn("status");
                  int expiresAt = rs.findColumn("expires_at");
                  int retryAfterSms = rs.findColumn("retry_after_sms");
                  SmsColumns sms = SmsColumns.of(rs);
                  return (row, ctx) -> {
                    String rentalId = row.getString(id);
                    return new PollState(
                        rentalId,
                        row.getLong(accountId),
                        RentalStatus.fromWire(row.getString(status)).orElseThrow(),
                        row.getLong(expiresAt),
                        sms.read(row, rentalId),
                        ByPosition.nullableLong(row, retryAfterSms));
                  };
                }))
        .forEach(state -> found.put(state.id(), state));
    return found;
  }

  /**
   * Locks the rental row until the transaction ends and reads it, in one statement. The service and
   * number columns come from scalar subqueries rather than joins, so that only the rental's row is
   * locked, on H2 as on PostgreSQL.
   */
  Optional<Rental> lock(Handle h, String id) {
    return h.createQuery(LOCK + "WHERE r.id = :id\nFOR UPDATE")
        .bind("id", id)
        .map(RENTAL)
        .findOne();
  }

  /**
   * Locks the rental holding the number now, found and locked in one statement: an inbound SMS's
   * first step, one round trip fewer than finding the holder first.
   */
  Optional<Rental> lockHolder(Handle h, String e164, long now) {
    return h.createQuery(
            LOCK
                + """
                WHERE r.id = (SELECT p.held_by FROM phone_numbers p
                              WHERE p.e164 = :e164 AND p.held_until > :now)
                FOR UPDATE
                """)
        .bind("e164", e164)
        .bind("now", now)
        .map(RENTAL)
        .findOne();
  }

  /** Whether an inbound SMS is new, and the rental holding its number, locked. */
  record Sighting(boolean first, Optional<Rental> holder) {}

  /**
   * Records an inbound SMS's key as seen and locks the rental holding its number: on PostgreSQL in
   * one statement, where an SMS's round trips are most of its cost. A repeat locks the holder as
   * well, for the moment its transaction takes to end.
   */
  Sighting sightAndLockHolder(Handle h, SmsStore smsStore, String dedupKey, String e164, long now) {
    if (dialect == Database.Dialect.H2) {
      if (!smsStore.firstSighting(h, dedupKey, now)) {
        return new Sighting(false, Optional.empty());
      }
      return new Sighting(true, lockHolder(h, e164, now));
    }
    return h.createQuery(
            "WITH "
                + SmsStore.SIGHTING_AS_CTE_POSTGRESQL
                + ", holder AS ("
                + LOCK
                + """
                WHERE r.id = (SELECT p.held_by FROM phone_numbers p
                              WHERE p.e164 = :e164 AND p.held_until > :now)
                FOR UPDATE)
                SELECT EXISTS (SELECT 1 FROM seen) AS first_sighting, holder.*
                FROM (VALUES (1)) AS one (x) LEFT JOIN holder ON TRUE
                """)
        .bind("key", dedupKey)
        .bind("e164", e164)
        .bind("now", now)
        .map(
            (rs, ctx) ->
                new Sighting(
                    rs.getBoolean("first_sighting"),
                    rs.getString("id") == null
                        ? Optional.empty()
                        : Optional.of(RENTAL.map(rs, ctx))))
        .one();
  }

  /**
   * Stores an SMS and records it on its rental, which the caller holds locked, when {@code writes}
   * runs: on PostgreSQL as one statement of the pipeline; on H2 the SMS at once, for its id.
   */
  void addSms(
      Handle h,
      Pipeline writes,
      SmsStore smsStore,
      String id,
      String sender,
      String message,
      String code,
      long receivedAt) {
    if (dialect == Database.Dialect.H2) {
      recordSms(writes, id, smsStore.insert(h, id, sender, message, code, receivedAt));
      return;
    }
    polls.changing(writes.handle(), id);
    writes
        .add(
            "WITH "
                + SmsStore.INSERT_AS_CTE_POSTGRESQL
                + """
                UPDATE rentals
                SET status = :status, used = TRUE, sms_count = sms_count + 1,
                    last_sms_id = CASE WHEN last_sms_id > (SELECT id FROM sms) THEN last_sms_id
                                       ELSE (SELECT id FROM sms) END
                WHERE id = :rental
                """)
        .bind("rental", id)
        .bind("sender", sender)
        .bind("message", message)
        .bind("code", code)
        .bind("received", receivedAt)
        .bind("status", Lifecycle.AFTER_SMS.wire());
  }

  private static final String LOCK =
      """
      SELECT r.id, r.activation_id, r.account_id, r.service_id,
             (SELECT s.name FROM services s WHERE s.id = r.service_id) AS service_name,
             r.number_id,
             (SELECT p.e164 FROM phone_numbers p WHERE p.id = r.number_id) AS e164,
             (SELECT p.source FROM phone_numbers p WHERE p.id = r.number_id) AS source,
             r.status, r.cost, r.rerent, r.rented_at, r.expires_at, r.ended_at,
             r.refund_amount, r.sms_count
      FROM rentals r
      """;

  /**
   * Moves a rental the caller holds locked on from {@code from} when {@code writes} runs; a row in
   * another status by then asks for the whole transaction again.
   */
  void transition(
      Pipeline writes, String id, RentalStatus from, RentalStatus to, Long endedAt, Money refund) {
    polls.changing(writes.handle(), id);
    writes
        .add(
            """
            UPDATE rentals SET status = :to, ended_at = :ended, refund_amount = :refund
            WHERE id = :id AND status = :from
            """)
        .bind("to", to.wire())
        .bind("ended", endedAt)
        .bind("refund", refund == null ? null : refund.amount())
        .bind("id", id)
        .bind("from", from.wire())
        .then(
            changed -> {
              if (changed != 1) {
                throw new Database.RetryableConflict("rental " + id + " changed while locked");
              }
            });
    EventType.forStatus(to.wire()).ifPresent(type -> events.rentalEvent(writes, id, type, endedAt));
  }

  /**
   * Records the arrival of SMS {@code smsId} on the rental, which the caller holds locked, when
   * {@code writes} runs.
   */
  void recordSms(Pipeline writes, String id, long smsId) {
    polls.changing(writes.handle(), id);
    writes
        .add(
            """
            UPDATE rentals
            SET status = :status, used = TRUE, sms_count = sms_count + 1,
                last_sms_id = CASE WHEN last_sms_id > :sms THEN last_sms_id ELSE :sms END
            WHERE id = :id
            """)
        .bind("status", Lifecycle.AFTER_SMS.wire())
        .bind("sms", smsId)
        .bind("id", id);
  }

  List<String> dueForExpiry(Handle h, long accountId, long now) {
    return h.createQuery(
            "SELECT r.id FROM rentals r WHERE r.account_id = :account AND "
                + Lifecycle.DUE_FOR_EXPIRY)
        .bind("account", accountId)
        .bind("now", now)
        .mapTo(String.class)
        .list();
  }

  List<String> dueForExpiry(Handle h, long now, int limit) {
    return h.createQuery(
            "SELECT r.id FROM rentals r WHERE "
                + Lifecycle.DUE_FOR_EXPIRY
                + " ORDER BY r.expires_at LIMIT :limit")
        .bind("now", now)
        .bind("limit", limit)
        .mapTo(String.class)
        .list();
  }

  /** Rentals that hold their number now, newest first. */
  List<Rental> holding(Handle h, long accountId, long now) {
    return h.createQuery(
            SELECT
                + " WHERE r.account_id = :account AND "
                + Lifecycle.HOLDS_NUMBER
                + " ORDER BY r.rented_at DESC, r.id DESC")
        .bind("account", accountId)
        .bind("now", now)
        .map(RENTAL)
        .list();
  }
}
