package com.ohmyotp.upstream;

import com.ohmyotp.db.Database;
import java.time.Clock;
import org.jdbi.v3.core.Handle;

/**
 * Every attempt to buy a number, written before the provider is asked ({@code provider_purchases}):
 * an attempt a process never settled, because it died or the provider's answer was lost, is how
 * {@link Reconciler} learns that a number may have been bought and never recorded.
 */
public final class PurchaseAttempts {

  private final Database db;
  private final Clock clock;

  public PurchaseAttempts(Database db, Clock clock) {
    this.db = db;
    this.clock = clock;
  }

  /** An attempt about to ask the provider, committed before it does; its id. */
  long begin(int providerId) {
    long now = clock.instant().getEpochSecond();
    return db.inTransaction(
        h ->
            h.createUpdate(
                    "INSERT INTO provider_purchases (provider_id, started_at) VALUES (:p, :now)")
                .bind("p", providerId)
                .bind("now", now)
                .executeAndReturnGeneratedKeys("id")
                .mapTo(Long.class)
                .one());
  }

  /** The provider sold a number under this activation: kept, in case the rental never is. */
  void bought(long attempt, String activation) {
    db.inTransaction(
        h ->
            h.createUpdate("UPDATE provider_purchases SET activation = :a WHERE id = :id")
                .bind("a", activation)
                .bind("id", attempt)
                .execute());
  }

  /** The attempt's outcome is known and kept elsewhere (a rental, a queued cancel, no number). */
  void settle(Handle h, long attempt) {
    h.createUpdate(
            "UPDATE provider_purchases SET settled_at = :now WHERE id = :id AND settled_at IS NULL")
        .bind("now", clock.instant().getEpochSecond())
        .bind("id", attempt)
        .execute();
  }

  void settle(long attempt) {
    db.inTransaction(
        h -> {
          settle(h, attempt);
          return null;
        });
  }
}
