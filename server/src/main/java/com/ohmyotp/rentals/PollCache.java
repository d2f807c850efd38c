package com.ohmyotp.rentals;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import com.ohmyotp.db.ChangeFeed;
import com.ohmyotp.db.Database;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jdbi.v3.core.Handle;

/**
 * What polls of {@code /code} last read of each rental, kept between polls: a customer polls the
 * same rental every few seconds until the code arrives, and most polls find nothing new.
 *
 * <p>An answer from memory never hides a write made through this node. Every write to what a poll
 * shows — a rental's status, its SMS — marks the rental as changing inside its transaction, before
 * it commits, and takes the mark off once the transaction has ended. A marked rental's polls read
 * the database; a state read from the database is kept only when no write to any rental has ended
 * since the read began and none has started on that rental.
 *
 * <p>When other nodes share the database, they tell this one of their writes through a {@link
 * ChangeFeed} once those have committed, and this one tells them of its own. A rental another node
 * names is forgotten, and reads that began before are not kept: a change made there shows here as
 * soon as the feed brings it, a few milliseconds after its commit. While the feed is not listening
 * nothing is kept, and all that was kept is forgotten, since what it would have told may be lost. A
 * change whose node died before telling it shows here at the latest {@link #KEPT_FOR} after its
 * commit. An embedded database has no other nodes; one shared without a feed has nothing kept.
 */
public final class PollCache implements ChangeFeed.Subscriber {

  /** Rentals kept; a poll of one that was dropped reads the database once and keeps it again. */
  static final int MAX_RENTALS = 10_000;

  /**
   * How long an answer is kept when other nodes share the database: the longest a change they could
   * not tell (their process died right after its commit) stays unseen here.
   */
  public static final Duration KEPT_FOR = Duration.ofSeconds(30);

  /** The channel of the database on which nodes tell each other which rentals changed. */
  public static final String CHANNEL = "ohmyotp_rentals";

  private sealed interface Entry {}

  private record Kept(PollState state) implements Entry {}

  /** A rental that open transactions are changing: never dropped, so the mark cannot be lost. */
  private record Changing(int transactions) implements Entry {}

  private final ConcurrentMap<String, Entry> entries;
  private final Consumer<String> tellOthers;
  private final AtomicLong writesEnded = new AtomicLong();
  private final RentalWaiters waiters = new RentalWaiters();
  private final LongAdder fromMemory = new LongAdder();
  private volatile boolean hearingOthers;

  private PollCache(
      ConcurrentMap<String, Entry> entries, Consumer<String> tellOthers, boolean hearingOthers) {
    this.entries = entries;
    this.tellOthers = tellOthers;
    this.hearingOthers = hearingOthers;
  }

  /**
   * A cache for {@code db} with no other nodes to hear from: one that keeps answers when this
   * process alone uses the database, and nothing otherwise.
   */
  public static PollCache forDatabase(Database db) {
    return db.embedded() ? keeping(MAX_RENTALS) : new PollCache(null, id -> {}, false);
  }

  /** A cache that hears of the other nodes' writes on {@code feed}, and tells them its own. */
  public static PollCache sharedThrough(ChangeFeed feed) {
    PollCache cache = shared(MAX_RENTALS, KEPT_FOR, Ticker.systemTicker(), feed::publish);
    feed.subscribe(cache);
    return cache;
  }

  static PollCache keeping(int maxRentals) {
    return new PollCache(entries(maxRentals).<String, Entry>build().asMap(), id -> {}, true);
  }

  static PollCache shared(
      int maxRentals, Duration keptFor, Ticker ticker, Consumer<String> tellOthers) {
    Duration forever = ChronoUnit.FOREVER.getDuration();
    return new PollCache(
        entries(maxRentals)
            .expireAfter(
                Expiry.writing(
                    (String id, Entry entry) -> entry instanceof Kept ? keptFor : forever))
            .ticker(ticker)
            .<String, Entry>build()
            .asMap(),
        tellOthers,
        false);
  }

  private static Caffeine<String, Entry> entries(int maxRentals) {
    return Caffeine.newBuilder()
        .maximumWeight(maxRentals)
        .weigher((String id, Entry entry) -> entry instanceof Changing ? 0 : 1)
        .executor(Runnable::run);
  }

  /** The rental's poll state: from memory when it is there, else from {@code database}. */
  Optional<PollState> find(String id, Function<String, Optional<PollState>> database) {
    if (entries == null) {
      return database.apply(id);
    }
    if (entries.get(id) instanceof Kept kept) {
      fromMemory.increment();
      return Optional.of(kept.state());
    }
    long endedBefore = writesEnded.get();
    Optional<PollState> read = database.apply(id);
    read.ifPresent(
        state -> {
          Kept kept = new Kept(state);
          if (entries.compute(id, (key, now) -> now == null && keepable(endedBefore) ? kept : now)
                  == kept
              && !keepable(endedBefore)) {
            // The feed stopped while this was being kept, and its sweep may have passed it by.
            entries.remove(id, kept);
          }
        });
    return read;
  }

  private boolean keepable(long endedBefore) {
    return hearingOthers && writesEnded.get() == endedBefore;
  }

  /**
   * Marks the rental as changing in the transaction of {@code h}; called before each write to a
   * rental's status or SMS. The mark comes off when the transaction commits or rolls back.
   */
  void changing(Handle h, String id) {
    if (!h.isInTransaction()) {
      throw new IllegalStateException("a rental changes only inside a transaction");
    }
    if (entries == null) {
      h.afterCommit(() -> waiters.changed(id));
      return;
    }
    entries.compute(
        id,
        (key, now) ->
            now instanceof Changing c ? new Changing(c.transactions() + 1) : new Changing(1));
    Runnable ended =
        () ->
            entries.compute(
                id,
                (key, now) -> {
                  writesEnded.incrementAndGet();
                  return now instanceof Changing c && c.transactions() > 1
                      ? new Changing(c.transactions() - 1)
                      : null;
                });
    h.afterCommit(
        () -> {
          ended.run();
          tellOthers.accept(id);
          waiters.changed(id);
        });
    h.afterRollback(ended);
  }

  @Override
  public void changed(List<String> ids) {
    // Counted before the rentals are forgotten, so that a read begun before their changes
    // committed cannot keep what it found.
    writesEnded.incrementAndGet();
    for (String id : ids) {
      entries.computeIfPresent(id, (key, now) -> now instanceof Kept ? null : now);
      waiters.changed(id);
    }
  }

  @Override
  public void listening() {
    forgetEverything();
    hearingOthers = true;
    // Changes made elsewhere while the feed was down went untold: every waiter looks again.
    waiters.changedAll();
  }

  @Override
  public void notListening() {
    hearingOthers = false;
    forgetEverything();
  }

  private void forgetEverything() {
    writesEnded.incrementAndGet();
    entries.values().removeIf(entry -> entry instanceof Kept);
  }

  /** The requests waiting for rentals to change, woken by the changes this cache hears of. */
  public RentalWaiters waiters() {
    return waiters;
  }

  /** How many polls were answered from memory. */
  public long answeredFromMemory() {
    return fromMemory.sum();
  }

  /** How many rentals are kept or marked; for tests. */
  int size() {
    return entries == null ? 0 : entries.size();
  }
}
