package com.ohmyotp.sms;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.mapper.RowMapper;

/** SQL for received and unmatched SMS. */
public final class SmsStore {

  private static final RowMapper<SmsMessage> SMS =
      (rs, ctx) ->
          new SmsMessage(
              rs.getLong("id"),
              rs.getString("rental_id"),
              rs.getString("sender"),
              rs.getString("message"),
              rs.getString("code"),
              rs.getLong("received_at"));

  /**
   * The insert of an SMS as a PostgreSQL common table expression named {@code sms}, returning its
   * id, for a statement that records it on its rental in the same round trip. Parameters: {@code
   * :rental}, {@code :sender}, {@code :message}, {@code :code}, {@code :received}.
   */
  public static final String INSERT_AS_CTE_POSTGRESQL =
      """
      sms AS (
        INSERT INTO sms_messages (rental_id, sender, message, code, received_at)
        VALUES (:rental, :sender, :message, :code, :received)
        RETURNING id)
      """;

  /**
   * {@link #firstSighting} as a PostgreSQL common table expression named {@code seen}: one row when
   * the key was not seen before. Parameters: {@code :key}, {@code :now}.
   */
  public static final String SIGHTING_AS_CTE_POSTGRESQL =
      """
      seen AS (
        INSERT INTO inbound_sms_seen (dedup_key, seen_at) VALUES (:key, :now)
        ON CONFLICT (dedup_key) DO NOTHING
        RETURNING 1)
      """;

  public long insert(
      Handle h, String rentalId, String sender, String message, String code, long receivedAt) {
    return h.createUpdate(
            """
            INSERT INTO sms_messages (rental_id, sender, message, code, received_at)
            VALUES (:rental, :sender, :message, :code, :received)
            """)
        .bind("rental", rentalId)
        .bind("sender", sender)
        .bind("message", message)
        .bind("code", code)
        .bind("received", receivedAt)
        .executeAndReturnGeneratedKeys("id")
        .mapTo(Long.class)
        .one();
  }

  public List<SmsMessage> forRental(Handle h, String rentalId) {
    return h.createQuery("SELECT * FROM sms_messages WHERE rental_id = :rental ORDER BY id")
        .bind("rental", rentalId)
        .map(SMS)
        .list();
  }

  /** All SMS of the given rentals, oldest first, grouped by rental. */
  public Map<String, List<SmsMessage>> allFor(Handle h, List<String> rentalIds) {
    Map<String, List<SmsMessage>> all = new HashMap<>();
    if (rentalIds.isEmpty()) {
      return all;
    }
    h.createQuery("SELECT * FROM sms_messages WHERE rental_id IN (<rentals>) ORDER BY id")
        .bindList("rentals", rentalIds)
        .map(SMS)
        .forEach(
            sms -> all.computeIfAbsent(sms.rentalId(), id -> new java.util.ArrayList<>()).add(sms));
    return all;
  }

  public void recordUnmatched(
      Handle h,
      String to,
      String sender,
      String message,
      String reason,
      long receivedAt,
      long now) {
    h.createUpdate(
            """
            INSERT INTO unmatched_sms (to_number, sender, message, reason, received_at, recorded_at)
            VALUES (:to, :sender, :message, :reason, :received, :now)
            """)
        .bind("to", to)
        .bind("sender", sender)
        .bind("message", message)
        .bind("reason", reason)
        .bind("received", receivedAt)
        .bind("now", now)
        .execute();
  }

  /** Unmatched SMS, newest first, older than {@code beforeId} when given. */
  public List<UnmatchedSms> unmatched(Handle h, Long beforeId, int limit) {
    return h.createQuery(
            """
            SELECT * FROM unmatched_sms WHERE id < :before
            ORDER BY id DESC LIMIT :limit
            """)
        .bind("before", beforeId == null ? Long.MAX_VALUE : beforeId)
        .bind("limit", limit)
        .map(
            (rs, ctx) ->
                new UnmatchedSms(
                    rs.getLong("id"),
                    rs.getString("to_number"),
                    rs.getString("sender"),
                    rs.getString("message"),
                    rs.getString("reason"),
                    rs.getLong("received_at"),
                    rs.getLong("recorded_at")))
        .list();
  }

  /** How long an SMS that reached no rental is kept for the operator to look at. */
  public static final long UNMATCHED_RETENTION_SECONDS = 30L * 24 * 3600;

  /** How long an inbound SMS is remembered as seen, against its coming again. */
  public static final long SEEN_RETENTION_SECONDS = 7L * 24 * 3600;

  /**
   * Records that the message {@code dedupKey} names has come; false when it came before. Two posts
   * of it at once: one commits, the other's insert fails as a unique violation.
   */
  public boolean firstSighting(Handle h, String dedupKey, long now) {
    return h.createUpdate(
                """
                INSERT INTO inbound_sms_seen (dedup_key, seen_at)
                SELECT :key, :now WHERE NOT EXISTS
                  (SELECT 1 FROM inbound_sms_seen WHERE dedup_key = :key)
                """)
            .bind("key", dedupKey)
            .bind("now", now)
            .execute()
        == 1;
  }

  /** Forgets the messages seen longer ago than {@link #SEEN_RETENTION_SECONDS}. */
  public int purgeSeen(Handle h, long now) {
    return h.createUpdate("DELETE FROM inbound_sms_seen WHERE seen_at <= :cutoff")
        .bind("cutoff", now - SEEN_RETENTION_SECONDS)
        .execute();
  }

  /**
   * Forgets unmatched SMS past their retention, so a flood of them cannot grow the table for ever.
   */
  public int purgeUnmatched(Handle h, long now) {
    return h.createUpdate("DELETE FROM unmatched_sms WHERE recorded_at <= :cutoff")
        .bind("cutoff", now - UNMATCHED_RETENTION_SECONDS)
        .execute();
  }
}
