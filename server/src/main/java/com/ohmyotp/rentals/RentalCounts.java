package com.ohmyotp.rentals;

import com.ohmyotp.db.Database;
import com.ohmyotp.db.Pipeline;
import com.ohmyotp.ledger.Money;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Handle;

/**
 * How many rentals each account has in each stored status (table {@code account_rentals}). Every
 * change to a rental's status moves its count in the same transaction, so a history total is one
 * row read however many rentals the account has.
 */
public final class RentalCounts {

  /** One counter: a stored status, with cancellations split by whether an SMS had arrived. */
  enum Tally {
    ACTIVE("active", RentalStatus.ACTIVE, false),
    COMPLETED("completed", RentalStatus.COMPLETED, true),
    EXPIRED("expired", RentalStatus.EXPIRED, false),
    CANCELLED("cancelled", RentalStatus.CANCELLED, false),
    CANCELLED_USED("cancelled_used", RentalStatus.CANCELLED, true);

    private final String column;
    private final RentalStatus status;

    /** Whether the rentals counted here received an SMS. */
    private final boolean used;

    Tally(String column, RentalStatus status, boolean used) {
      this.column = column;
      this.status = status;
      this.used = used;
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
        if (status.map(s -> s == t.status).orElse(true) && (!usedOnly || t.used)) {
          tallies.add(t);
        }
      }
      return tallies;
    }
  }

  /**
   * A new rental counted as active, and the account's row started by its first: on PostgreSQL in
   * one statement, so that it needs no second one after the pipeline it is part of has run.
   */
  private static final String ADD_ACTIVE_POSTGRESQL =
      """
      INSERT INTO account_rentals (account_id, active) VALUES (:account, 1)
      ON CONFLICT (account_id) DO UPDATE SET active = account_rentals.active + 1
      """;

  private final Database.Dialect dialect;

  public RentalCounts(Database.Dialect dialect) {
    this.dialect = dialect;
  }

  /** Counts a new rental, which is active, when {@code writes} runs. */
  void added(Pipeline writes, long accountId) {
    switch (dialect) {
      case POSTGRESQL -> writes.add(ADD_ACTIVE_POSTGRESQL).bind("account", accountId);
      case H2 ->
          writes
              .add("UPDATE account_rentals SET active = active + 1 WHERE account_id = :account")
              .bind("account", accountId)
              .then(
                  updated -> {
                    if (updated == 0) {
                      firstRental(writes.handle(), accountId);
                    }
                  });
    }
  }

  /** The account's first rental: its row does not exist yet. */
  private static void firstRental(Handle h, long accountId) {
    try {
      h.createUpdate("INSERT INTO account_rentals (account_id, active) VALUES (:account, 1)")
          .bind("account", accountId)
          .execute();
    } catch (RuntimeException e) {
      if (Database.isUniqueViolation(e)) {
        throw new Database.RetryableConflict(
            "account " + accountId + " got its first rental twice at once");
      }
      throw e;
    }
  }

  /** Moves one rental of the account from one counter to another when {@code writes} runs. */
  void moved(Pipeline writes, long accountId, Tally from, Tally to) {
    if (from == to) {
      return;
    }
    // Both column names come from the enum, never from input.
    writes
        .add(
            "UPDATE account_rentals SET "
                + from.column
                + " = "
                + from.column
                + " - 1, "
                + to.column
                + " = "
                + to.column
                + " + 1 WHERE account_id = :account")
        .bind("account", accountId);
  }

  /**
   * An account's counters as one value. Every change to the account's rentals changes it, and it
   * never comes back to an earlier value: a new rental adds to the total, every other change moves
   * a rental to a later status. Equal counts therefore mean the same rentals in the same statuses.
   */
  record Counts(long active, long completed, long expired, long cancelled, long cancelledUsed) {
    static final Counts NONE = new Counts(0, 0, 0, 0, 0);

    /** How many of the account's rentals a history filter matches. */
    long total(Optional<RentalStatus> status, boolean usedOnly) {
      long total = 0;
      for (Tally t : Tally.matching(status, usedOnly)) {
        total +=
            switch (t) {
              case ACTIVE -> active;
              case COMPLETED -> completed;
              case EXPIRED -> expired;
              case CANCELLED -> cancelled;
              case CANCELLED_USED -> cancelledUsed;
            };
      }
      return total;
    }
  }

  /**
   * What a read that shows an account's rentals judges them against: their counts, the balance
   * re-renting would be paid from, and whether one of its active rentals was overdue at the time
   * asked for (a read that shows rentals settles those first).
   */
  record Standing(Counts counts, Money balance, boolean overdue) {}

  /**
   * An account's {@link Standing} as columns, read by {@link #standing(ResultSet)}, of a query over
   * {@link #FROM_STANDING}. Binds {@code :account} and {@code :now}.
   */
  static final String STANDING_COLUMNS =
      "c.active, c.completed, c.expired, c.cancelled, c.cancelled_used,"
          + " a.balance AS account_balance, c.active > 0 AND EXISTS (SELECT 1 FROM rentals r"
          + (" WHERE r.account_id = :account AND " + Lifecycle.DUE_FOR_EXPIRY + ") AS overdue");

  /**
   * The account ({@code a}) and its counts ({@code c}), which a new account has none of: then they
   * read as zero.
   */
  static final String FROM_STANDING =
      "FROM accounts a\nLEFT JOIN account_rentals c ON c.account_id = a.id\n";

  /** The {@link #STANDING_COLUMNS} of a row. */
  static Standing standing(ResultSet rs) throws SQLException {
    // getLong and getBoolean read a new account's missing counts (NULL) as 0 and false.
    return new Standing(
        new Counts(
            rs.getLong("active"),
            rs.getLong("completed"),
            rs.getLong("expired"),
            rs.getLong("cancelled"),
            rs.getLong("cancelled_used")),
        Money.of(rs.getBigDecimal("account_balance")),
        rs.getBoolean("overdue"));
  }

  /** The account's standing at {@code now}. */
  Standing standing(Handle h, long accountId, long now) {
    return h.createQuery(
            "SELECT " + STANDING_COLUMNS + "\n" + FROM_STANDING + "WHERE a.id = :account")
        .bind("account", accountId)
        .bind("now", now)
        .map((rs, ctx) -> standing(rs))
        .findOne()
        .orElseThrow(() -> new IllegalStateException("no account " + accountId));
  }
}
