package com.ohmyotp.rentals;

import com.ohmyotp.db.Database;
import com.ohmyotp.db.Pipeline;
import com.ohmyotp.inventory.Inventory;
import com.ohmyotp.ledger.Ledger;
import java.time.Clock;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Expires rentals whose window closed with no SMS, refunding them in full. The background sweep
 * expires every overdue rental; reads of an account settle its own first, so that nothing they show
 * is stale even when the sweep has not run yet. Each expiry locks its rental and checks it again,
 * so none is refunded twice, whoever gets there first.
 */
public final class Expiry {

  private static final Logger log = LoggerFactory.getLogger(Expiry.class);

  private final Database db;
  private final RentalStore store;
  private final RentalCounts counts;
  private final Inventory inventory;
  private final Ledger ledger;
  private final Clock clock;

  public Expiry(
      Database db,
      RentalStore store,
      RentalCounts counts,
      Inventory inventory,
      Ledger ledger,
      Clock clock) {
    this.db = db;
    this.store = store;
    this.counts = counts;
    this.inventory = inventory;
    this.ledger = ledger;
    this.clock = clock;
  }

  /** Expires the account's overdue rentals, so that every read after this one sees the refund. */
  public void settleDue(long accountId) {
    long now = now();
    List<String> due = db.read(h -> store.dueForExpiry(h, accountId, now));
    due.forEach(id -> expire(id, now));
  }

  /** Expires up to {@code limit} overdue rentals of any account; returns how many it expired. */
  public int expireDue(int limit) {
    long now = now();
    List<String> due = db.read(h -> store.dueForExpiry(h, now, limit));
    int expired = 0;
    for (String id : due) {
      if (expire(id, now)) {
        expired++;
      }
    }
    return expired;
  }

  /** Expires one rental if it is still overdue at {@code now}; whether it did. */
  boolean expire(String rentalId, long now) {
    return db.inTransaction(
        h ->
            store
                .lock(h, rentalId)
                .filter(r -> Lifecycle.isDueForExpiry(r, now))
                .map(
                    r -> {
                      expireLocked(h, r, now);
                      return true;
                    })
                .orElse(false));
  }

  /** Expires a rental its caller has locked and found overdue, in the caller's transaction. */
  void expireLocked(Handle h, Rental r, long now) {
    Pipeline writes = db.pipeline(h);
    store.transition(
        writes, r.id(), RentalStatus.ACTIVE, RentalStatus.EXPIRED, r.expiresAt(), r.cost());
    inventory.release(writes, r.numberId(), r.id());
    counts.moved(writes, r.accountId(), RentalCounts.Tally.ACTIVE, RentalCounts.Tally.EXPIRED);
    ledger.refund(writes, r.accountId(), r.cost(), r.id(), r.serviceId(), now);
    writes.run();
    log.info("rental {} expired: refund={}", r.id(), r.cost());
  }

  private long now() {
    return clock.instant().getEpochSecond();
  }
}
