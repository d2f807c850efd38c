package com.ohmyotp.sms;

import com.ohmyotp.db.Database;
import java.util.List;

/**
 * The SMS that reached no rental, kept for the operator for {@link
 * SmsStore#UNMATCHED_RETENTION_SECONDS}.
 */
public final class UnmatchedMessages {

  private final Database db;
  private final SmsStore store;

  public UnmatchedMessages(Database db, SmsStore store) {
    this.db = db;
    this.store = store;
  }

  /** Up to {@code limit} of them, newest first, older than the one with id {@code before}. */
  public List<UnmatchedSms> page(Long before, int limit) {
    return db.read(h -> store.unmatched(h, before, limit));
  }

  /** How many there are. */
  public long count() {
    return db.read(
        h -> h.createQuery("SELECT COUNT(*) FROM unmatched_sms").mapTo(Long.class).one());
  }
}
