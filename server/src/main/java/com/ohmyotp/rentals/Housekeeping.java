package com.ohmyotp.rentals;

import com.ohmyotp.db.Database;
import com.ohmyotp.inventory.NumberStock;
import com.ohmyotp.sms.SmsStore;
import java.time.Clock;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The background upkeep of the data, every few seconds: expires and refunds rentals whose window
 * closed with no SMS ({@link Expiry}), takes numbers past their own expiry out of the inventory
 * counts, and forgets idempotency keys, unmatched SMS and the record of SMS seen past their
 * retention. Safe on every node at once: each expiry locks its rental and checks it again, so none
 * is refunded twice. Reads settle overdue rentals themselves, so this only keeps the data tidy and
 * the balance current for accounts nobody is looking at.
 */
public final class Housekeeping {

  private static final Logger log = LoggerFactory.getLogger(Housekeeping.class);
  private static final int BATCH = 500;

  private final Expiry expiry;
  private final NumberStock stock;
  private final IdempotencyKeys idempotency;
  private final SmsStore sms;
  private final Database db;
  private final Clock clock;

  public Housekeeping(
      Expiry expiry,
      NumberStock stock,
      IdempotencyKeys idempotency,
      SmsStore sms,
      Database db,
      Clock clock) {
    this.expiry = expiry;
    this.stock = stock;
    this.idempotency = idempotency;
    this.sms = sms;
    this.db = db;
    this.clock = clock;
  }

  public void start(ScheduledExecutorService scheduler, long intervalMillis) {
    scheduler.scheduleWithFixedDelay(
        this::runSafely, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
  }

  /** One pass: expires everything overdue now; returns how many rentals it expired. */
  public int runOnce() {
    int total = 0;
    int expired;
    do {
      expired = expiry.expireDue(BATCH);
      total += expired;
    } while (expired == BATCH);
    int uncounted;
    do {
      uncounted = stock.uncountExpired(BATCH);
    } while (uncounted == BATCH);
    long now = clock.instant().getEpochSecond();
    idempotency.purge(now);
    db.inTransaction(h -> sms.purgeUnmatched(h, now) + sms.purgeSeen(h, now));
    return total;
  }

  private void runSafely() {
    try {
      int expired = runOnce();
      if (expired > 0) {
        log.info("expiry sweep refunded {} rentals", expired);
      }
    } catch (RuntimeException e) {
      log.warn("expiry sweep failed, will retry: {}", e.toString());
    }
  }
}
