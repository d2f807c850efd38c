package com.ohmyotp.rentals;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.ohmyotp.rentals.RentalCounts.Counts;
import java.util.List;
import java.util.Optional;

/**
 * Where history pages begin, remembered so that a page is read from its first row rather than by
 * skipping every row before it. Page 500 of a busy account otherwise walks 25,000 index entries on
 * every request, and a client reading its history page after page walks a quadratic number of them.
 * Each page's first row is remembered when it is read, and so is the next page's, right after this
 * one's last row.
 *
 * <p>A start is right only while the account's rental counts are what they were when it was found:
 * any new rental or change of status changes them (see {@link Counts}), and with them where a page
 * begins. The counts are read from the database in the same statement as the page, so every node's
 * memory is checked against the same truth, and a page read from a start that is no longer right is
 * thrown away.
 */
public final class HistoryPages {

  /** Pages remembered across all accounts; each is a few dozen bytes. */
  private static final int MAX_PAGES = 50_000;

  /** A page of one account's history under one filter. */
  private record Key(
      long accountId, Optional<RentalStatus> status, boolean usedOnly, int limit, int page) {
    static Key of(long accountId, HistoryFilter filter, int page) {
      return new Key(accountId, filter.status(), filter.usedOnly(), filter.limit(), page);
    }
  }

  /** Where a page began when the account's rentals were counted as {@code counts}. */
  record Remembered(Counts counts, HistoryStart start) {}

  private final Cache<Key, Remembered> starts =
      Caffeine.newBuilder().maximumSize(MAX_PAGES).executor(Runnable::run).build();

  /**
   * Where the filter's page began when last read, if it was read and is not the first; right only
   * if the account's counts are still the remembered ones.
   */
  Optional<Remembered> start(long accountId, HistoryFilter filter) {
    return filter.page() == 1
        ? Optional.empty()
        : Optional.ofNullable(starts.getIfPresent(Key.of(accountId, filter, filter.page())));
  }

  /** Remembers where the page just read, and the one after it, begin. */
  void remember(long accountId, HistoryFilter filter, Counts counts, List<Rental> page) {
    if (page.isEmpty()) {
      return;
    }
    Rental first = page.getFirst();
    Rental last = page.getLast();
    if (filter.page() > 1) {
      starts.put(
          Key.of(accountId, filter, filter.page()),
          new Remembered(counts, new HistoryStart(first.rentedAt(), first.id(), true)));
    }
    if (page.size() == filter.limit()) {
      starts.put(
          Key.of(accountId, filter, filter.page() + 1),
          new Remembered(counts, new HistoryStart(last.rentedAt(), last.id(), false)));
    }
  }
}
