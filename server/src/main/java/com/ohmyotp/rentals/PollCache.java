package com.ohmyotp.rentals;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.ohmyotp.db.Database;
import com.ohmyotp.rentals.RentalStore.PollState;
import java.util.Optional;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.jdbi.v3.core.Handle;

/**
 * What polls of {@code /code} last read of each rental, kept between polls when this process is
 * the only one using its database (the embedded H2): a customer polls the same rental every few
 * seconds until the code arrives, and most polls find nothing new. Against a database that other
 * nodes share, nothing is kept, because their writes would not be seen here.
 *
 * <p>An answer from memory is never older than one from the database. Every write to what a poll
 * shows — a rental's status, its SMS — marks the rental as changing inside its transaction,
 * before it commits, and takes the mark off once the transaction has ended. A marked rental's
 * polls read the database; a state read from the database is kept only when no write to any
 * rental has ended since the read began and none has started on that rental.
 */
public final class PollCache {

  /** Rentals kept; a poll of one that was dropped reads the database once and keeps it again. */
  static final int MAX_RENTALS = 10_000;

  private sealed interface Entry {}

  private record Kept(PollState state) implements Entry {}

  /** A rental that open transactions are changing: never dropped, so the mark cannot be lost. */
  private record Changing(int transactions) implements Entry {}

  private final ConcurrentMap<String, Entry> entries;
  private final AtomicLong writesEnded = new AtomicLong();

  private PollCache(ConcurrentMap<String, Entry> entries) {
    this.entries = entries;
  }

  /** A cache for {@code db}: one that keeps nothing unless this process alone uses it. */
  public static PollCache forDatabase(Database db) {
    return db.embedded() ? keeping(MAX_RENTALS) : new PollCache(null);
  }

  static PollCache keeping(int maxRentals) {
    return new PollCache(Caffeine.newBuilder()
        .maximumWeight(maxRentals)
        .weigher((String id, Entry entry) -> entry instanceof Changing ? 0 : 1)
        .executor(Runnable::run)
        .<String, Entry>build()
        .asMap());
  }

  /** The rental's poll state: from memory when it is there, else from {@code database}. */
  Optional<PollState> find(String id, Function<String, Optional<PollState>> database) {
    if (entries == null) {
      return database.apply(id);
    }
    if (entries.get(id) instanceof Kept kept) {
      return Optional.of(kept.state());
    }
    long endedBefore = writesEnded.get();
    Optional<PollState> read = database.apply(id);
    read.ifPresent(state -> entries.compute(id, (key, now) ->
        now == null && writesEnded.get() == endedBefore ? new Kept(state) : now));
    return read;
  }

  /**
   * Marks the rental as changing in the transaction of {@code h}; called before each write to a
   * rental's status or SMS. The mark comes off when the transaction commits or rolls back.
   */
  void changing(Handle h, String id) {
    if (entries == null) {
      return;
    }
    if (!h.isInTransaction()) {
      throw new IllegalStateException("a rental changes only inside a transaction");
    }
    entries.compute(id, (key, now) ->
        now instanceof Changing c ? new Changing(c.transactions() + 1) : new Changing(1));
    Runnable ended = () -> entries.compute(id, (key, now) -> {
      writesEnded.incrementAndGet();
      return now instanceof Changing c && c.transactions() > 1 ? new Changing(c.transactions() - 1) : null;
    });
    h.afterCommit(ended);
    h.afterRollback(ended);
  }

  /** How many rentals are kept or marked; for tests. */
  int size() {
    return entries == null ? 0 : entries.size();
  }
}
