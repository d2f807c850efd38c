package com.ohmyotp.rentals;

import com.ohmyotp.api.Caller;
import com.ohmyotp.db.Database;
import com.ohmyotp.ledger.Money;
import com.ohmyotp.rentals.RentalViews.HistoryEntry;
import com.ohmyotp.rentals.RentalViews.Page;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * A customer's rentals, newest first, a page at a time: each with its newest SMS and whether its
 * number could be rented again now. Pages are read in one round trip where that is possible (the
 * first page, and a later one whose start is remembered, see {@link HistoryPages}).
 */
public final class RentalHistory {

  private final Database db;
  private final HistoryStore store;
  private final RentalCounts counts;
  private final HistoryPages pages;
  private final RentalViews views;
  private final Expiry expiry;
  private final Clock clock;

  public RentalHistory(
      Database db,
      HistoryStore store,
      RentalCounts counts,
      HistoryPages pages,
      RentalViews views,
      Expiry expiry,
      Clock clock) {
    this.db = db;
    this.store = store;
    this.counts = counts;
    this.pages = pages;
    this.views = views;
    this.expiry = expiry;
    this.clock = clock;
  }

  /** The caller's rentals, newest first, with each one's newest SMS and re-rent eligibility. */
  public Page<HistoryEntry> history(
      Caller caller, Optional<RentalStatus> status, boolean usedOnly, int page, int limit) {
    long now = clock.instant().getEpochSecond();
    HistoryFilter filter = new HistoryFilter(status, usedOnly, page, limit);
    // Overdue rentals are found with the counts, and settled only when there are some; then the
    // page is read again, with every rental overdue at now settled.
    return db.read(h -> historyPage(h, caller.accountId(), filter, now, true))
        .orElseGet(
            () -> {
              expiry.settleDue(caller.accountId());
              return db.read(h -> historyPage(h, caller.accountId(), filter, now, false))
                  .orElseThrow();
            });
  }

  /** A history page, or empty when {@code unlessOverdue} and a rental of the account is overdue. */
  private Optional<Page<HistoryEntry>> historyPage(
      Handle h, long accountId, HistoryFilter filter, long now, boolean unlessOverdue) {
    HistoryStore.HistoryRead read = readHistory(h, accountId, filter, now);
    if (unlessOverdue && read.standing().overdue()) {
      return Optional.empty();
    }
    RentalCounts.Counts counted = read.standing().counts();
    pages.remember(
        accountId,
        filter,
        counted,
        read.rows().stream().map(HistoryStore.HistoryRow::rental).toList());
    List<HistoryEntry> entries =
        read.rows().stream()
            .map(
                row ->
                    views.history(
                        row.rental(),
                        now,
                        row.lastSms().orElse(null),
                        eligibility(row.rerent(), now, read.standing().balance())))
            .toList();
    return Optional.of(
        new Page<>(
            entries,
            counted.total(filter.status(), filter.usedOnly()),
            filter.page(),
            filter.limit()));
  }

  /**
   * A history page and the account's standing: in one round trip for the first page, and for a
   * later one whose start is remembered and still right. Any other page skips the rows before it,
   * and its counts are known first, so that a page past the last one walks past no row.
   */
  private HistoryStore.HistoryRead readHistory(
      Handle h, long accountId, HistoryFilter filter, long now) {
    Optional<HistoryPages.Remembered> remembered = pages.start(accountId, filter);
    RentalCounts.Standing standing;
    if (filter.page() == 1 || remembered.isPresent()) {
      HistoryStore.HistoryRead read =
          store.history(h, accountId, filter, remembered.map(HistoryPages.Remembered::start), now);
      if (remembered.map(r -> r.counts().equals(read.standing().counts())).orElse(true)) {
        return read;
      }
      // The start has moved; the counts read with it still tell whether the page exists.
      standing = read.standing();
    } else {
      standing = counts.standing(h, accountId, now);
    }
    return filter.offset() >= standing.counts().total(filter.status(), filter.usedOnly())
        ? new HistoryStore.HistoryRead(standing, List.of())
        : store.history(h, accountId, filter, Optional.empty(), now);
  }

  private static EligibilityReason eligibility(
      HistoryStore.RerentFacts facts, long now, Money balance) {
    // A service taken out of the catalog cannot be rented at all, whatever the number.
    return facts.serviceEnabled()
        ? Eligibility.forRerent(
            Optional.of(facts.number()), now, facts.windowSeconds(), balance, facts.price())
        : EligibilityReason.PHONE_NOT_IN_INVENTORY;
  }
}
