package com.ohmyotp.upstream;

import com.ohmyotp.db.Database;
import com.ohmyotp.smsactivate.HandlerApiClient;
import com.ohmyotp.smsactivate.HandlerApiClient.UpstreamException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls owed to providers — an activation to cancel ({@code setStatus 8}) or to finish ({@code 6})
 * — kept in the database until a provider has taken them, so that neither a failed call nor a
 * restart loses one. Every node works through the due rows; a row is claimed by moving its next
 * attempt into the future in one conditional update, so two nodes never make the same call at once.
 */
public final class ProviderOutbox {

  private static final Logger log = LoggerFactory.getLogger(ProviderOutbox.class);

  /** Retries back off from this to {@link #MAX_BACKOFF}, with jitter. */
  static final Duration FIRST_BACKOFF = Duration.ofSeconds(5);

  static final Duration MAX_BACKOFF = Duration.ofMinutes(10);

  /** How long a claimed row is left to the node that claimed it before another may try it. */
  static final Duration CLAIMED_FOR = Duration.ofSeconds(30);

  /** After this many attempts a row is given up and left for the operator. */
  static final int MAX_ATTEMPTS = 30;

  /** What a call owed to a provider is for. */
  public static final int CANCEL = 8;

  public static final int FINISH = 6;

  private final Database db;
  private final Providers providers;
  private final HandlerApiClient client;
  private final ProviderHealth health;
  private final Clock clock;

  public ProviderOutbox(
      Database db,
      Providers providers,
      HandlerApiClient client,
      ProviderHealth health,
      Clock clock) {
    this.db = db;
    this.providers = providers;
    this.client = client;
    this.health = health;
    this.clock = clock;
  }

  /**
   * Owes the provider {@code setStatus status} of an activation, in the transaction of {@code h}.
   */
  long add(Handle h, int providerId, String activation, int status, String reason) {
    return h.createUpdate(
            """
            INSERT INTO provider_outbox (provider_id, activation, status, reason, next_attempt_at,
                created_at)
            VALUES (:provider, :activation, :status, :reason, :now, :now)
            """)
        .bind("provider", providerId)
        .bind("activation", activation)
        .bind("status", status)
        .bind("reason", reason)
        .bind("now", now())
        .executeAndReturnGeneratedKeys("id")
        .mapTo(Long.class)
        .one();
  }

  /** Owes the call in a transaction of its own; returns the row's id. */
  long add(int providerId, String activation, int status, String reason) {
    return db.inTransaction(h -> add(h, providerId, activation, status, reason));
  }

  /** Makes every due call once; returns how many a provider took. */
  public int runOnce() {
    long now = now();
    List<Long> due =
        db.read(
            h ->
                h.createQuery(
                        "SELECT id FROM provider_outbox WHERE done_at IS NULL"
                            + " AND next_attempt_at <= :now ORDER BY next_attempt_at LIMIT 100")
                    .bind("now", now)
                    .mapTo(Long.class)
                    .list());
    int taken = 0;
    for (long id : due) {
      if (attempt(id)) {
        taken++;
      }
    }
    return taken;
  }

  /** One call: claimed, made, and marked done or put back for later. True when it was taken. */
  boolean attempt(long id) {
    long now = now();
    record Row(int providerId, String activation, int status, int attempts) {}
    Optional<Row> claimed =
        db.inTransaction(
            h -> {
              int won =
                  h.createUpdate(
                          """
                          UPDATE provider_outbox SET next_attempt_at = :until,
                              attempts = attempts + 1
                          WHERE id = :id AND done_at IS NULL AND next_attempt_at <= :now
                          """)
                      .bind("until", now + CLAIMED_FOR.toSeconds())
                      .bind("id", id)
                      .bind("now", now)
                      .execute();
              if (won != 1) {
                return Optional.empty();
              }
              return h.createQuery(
                      "SELECT provider_id, activation, status, attempts FROM provider_outbox"
                          + " WHERE id = :id")
                  .bind("id", id)
                  .map(
                      (rs, ctx) ->
                          new Row(
                              rs.getInt("provider_id"),
                              rs.getString("activation"),
                              rs.getInt("status"),
                              rs.getInt("attempts")))
                  .findOne();
            });
    if (claimed.isEmpty()) {
      return false;
    }
    Row row = claimed.get();
    Optional<Providers.Reach> reach = providers.reach(row.providerId());
    if (reach.isEmpty()) {
      finish(id, "provider removed");
      return false;
    }
    String outcome;
    long started = System.nanoTime();
    try {
      String answer = client.setStatus(reach.get().peer(), row.activation(), row.status());
      health.call(reach.get().name(), System.nanoTime() - started, true);
      if (answer.startsWith("ACCESS_")
          || answer.equals("NO_ACTIVATION")
          || answer.equals("BAD_STATUS")) {
        // Taken, or the activation has ended on the provider's side already: nothing left to do.
        finish(id, answer.startsWith("ACCESS_") ? null : HandlerApiClient.word(answer));
        return true;
      }
      outcome = HandlerApiClient.word(answer);
    } catch (UpstreamException e) {
      health.call(reach.get().name(), System.nanoTime() - started, false);
      outcome = e.getMessage();
    }
    if (row.attempts() >= MAX_ATTEMPTS) {
      log.warn(
          "provider {} never took setStatus {} of activation {}: given up after {} attempts ({})",
          row.providerId(),
          row.status(),
          row.activation(),
          row.attempts(),
          outcome);
      finish(id, "given up: " + outcome);
      return false;
    }
    long backoff =
        Math.min(
            MAX_BACKOFF.toSeconds(), FIRST_BACKOFF.toSeconds() << Math.min(row.attempts() - 1, 16));
    long jittered = backoff / 2 + ThreadLocalRandom.current().nextLong(backoff / 2 + 1);
    String error = outcome.length() > 200 ? outcome.substring(0, 200) : outcome;
    db.inTransaction(
        h ->
            h.createUpdate(
                    "UPDATE provider_outbox SET next_attempt_at = :at, last_error = :error"
                        + " WHERE id = :id AND done_at IS NULL")
                .bind("at", now() + jittered)
                .bind("error", error)
                .bind("id", id)
                .execute());
    log.info(
        "provider {} did not take setStatus {} of activation {} ({}); retry in {} s",
        row.providerId(),
        row.status(),
        row.activation(),
        outcome,
        jittered);
    return false;
  }

  private void finish(long id, String note) {
    db.inTransaction(
        h ->
            h.createUpdate(
                    "UPDATE provider_outbox SET done_at = :now, last_error = :note WHERE id = :id")
                .bind("now", now())
                .bind("note", note)
                .bind("id", id)
                .execute());
  }

  /** Calls still owed, by provider id. */
  public java.util.Map<Integer, Long> pendingByProvider() {
    return db.read(
        h ->
            h.createQuery(
                    "SELECT provider_id, COUNT(*) AS n FROM provider_outbox"
                        + " WHERE done_at IS NULL GROUP BY provider_id")
                .map((rs, ctx) -> java.util.Map.entry(rs.getInt("provider_id"), rs.getLong("n")))
                .collectToMap(java.util.Map.Entry::getKey, java.util.Map.Entry::getValue));
  }

  /**
   * Calls a provider never took, given up after {@link #MAX_ATTEMPTS}, by provider id: each one an
   * activation the provider may have charged us for; the operator settles it with the provider.
   */
  public java.util.Map<Integer, Long> givenUpByProvider() {
    return db.read(
        h ->
            h.createQuery(
                    "SELECT provider_id, COUNT(*) AS n FROM provider_outbox"
                        + " WHERE done_at IS NOT NULL AND last_error LIKE 'given up%'"
                        + " GROUP BY provider_id")
                .map((rs, ctx) -> java.util.Map.entry(rs.getInt("provider_id"), rs.getLong("n")))
                .collectToMap(java.util.Map.Entry::getKey, java.util.Map.Entry::getValue));
  }

  /** Calls still owed (not taken, not given up). */
  public long pending() {
    return db.read(
        h ->
            h.createQuery("SELECT COUNT(*) FROM provider_outbox WHERE done_at IS NULL")
                .mapTo(Long.class)
                .one());
  }

  private long now() {
    return clock.instant().getEpochSecond();
  }
}
