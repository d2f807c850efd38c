package com.ohmyotp.rentals;

import com.ohmyotp.db.Database;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Handle;

/**
 * How many rentals each account has in each stored status (table {@code account_rentals}). Every
 * change to a rental's status moves its count in the same transaction, so a history total is one
 * row read however many rentals the account has.
 */
final class RentalCounts {

  /** One counter: a stored status, with cancellations split by whether an SMS had arrived. */
  enum Tally {
    ACTIVE("active"),
    COMPLETED("completed"),
    EXPIRED("expired"),
    CANCELLED("cancelled"),
    CANCELLED_USED("cancelled_used");

    private final String column;

    Tally(String column) {
      this.column = column;
    }

    /** The counter of a rental in {@code status} that has had {@code smsCount} messages. */
    static Tally of(RentalStatus status, int smsCount) {
      return switch (status) {
        case ACTIVE -> ACTIVE;
        case COMPLETED -> COMPLETED;
        case EXPIRED -> EXPIRED;
        case CANCELLED -> smsCount > 0 ? CANCELLED_USED : CANCELLED;
      };
    }

    /** The counters whose sum is the total of a history filter. */
    static Set<Tally> matching(Optional<RentalStatus> status, boolean usedOnly) {
      Set<Tally> tallies = EnumSet.noneOf(Tally.class);
      for (Tally t : values()) {
        boolean statusMatches = status.isEmpty() || t.status() == status.get();
        if (statusMatches && (!usedOnly || t.used())) {
          tallies.add(t);
        }
      }
      return tallies;
    }

    private RentalStatus status() {
      return switch (this) {
        case ACTIVE -> RentalStatus.ACTIVE;
        case COMPLETED -> RentalStatus.COMPLETED;
        case EXPIRED -> RentalStatus.EXPIRED;
        case CANCELLED, CANCELLED_USED -> RentalStatus.CANCELLED;
      };
    }

    /** Whether the rentals counted here received an SMS. */
    private boolean used() {
      return this == COMPLETED || this == CANCELLED_USED;
    }
  }

  /** Counts a new rental, which is active. */
  void added(Handle h, long accountId) {
    int updated = h.createUpdate("UPDATE account_rentals SET active = active + 1 WHERE account_id = :account")
        .bind("account", accountId)
        .execute();
    if (updated == 1) {
      return;
    }
    // The account's first rental: its row does not exist yet.
    try {
      h.createUpdate("INSERT INTO account_rentals (account_id, active) VALUES (:account, 1)")
          .bind("account", accountId)
          .execute();
    } catch (RuntimeException e) {
      if (Database.isUniqueViolation(e)) {
        throw new Database.RetryableConflict("account " + accountId + " got its first rental twice at once");
      }
      throw e;
    }
  }

  /** Moves one rental of the account from one counter to another. */
  void moved(Handle h, long accountId, Tally from, Tally to) {
    if (from == to) {
      return;
    }
    // Both column names come from the enum, never from input.
    h.createUpdate("UPDATE account_rentals SET <from> = <from> - 1, <to> = <to> + 1 WHERE account_id = :account")
        .define("from", from.column)
        .define("to", to.column)
        .bind("account", accountId)
        .execute();
  }

  /** How many of the account's rentals a history filter matches. */
  long total(Handle h, long accountId, Optional<RentalStatus> status, boolean usedOnly) {
    Set<Tally> tallies = Tally.matching(status, usedOnly);
    if (tallies.isEmpty()) {
      return 0;
    }
    String sum = tallies.stream().map(t -> t.column).collect(Collectors.joining(" + "));
    return h.createQuery("SELECT <sum> FROM account_rentals WHERE account_id = :account")
        .define("sum", sum)
        .bind("account", accountId)
        .mapTo(Long.class)
        .findOne()
        .orElse(0L);
  }
}
