package com.ohmyotp.ledger;

import com.ohmyotp.api.ApiException;
import com.ohmyotp.db.Database;
import com.ohmyotp.db.Pipeline;
import java.util.List;
import org.jdbi.v3.core.Handle;

/**
 * The only code that changes a balance. Each change is one statement that moves the balance and
 * writes its transaction row together, inside the caller's transaction; a debit is conditional on
 * the balance covering it, so the balance can never go below zero however many requests race.
 */
public final class Ledger {

  /**
   * Moves a balance by {@code :amount} unless that would take it below zero, and records the move.
   * One statement, not an update and an insert: rent and cancel each make one, and a round trip is
   * a good part of their cost. It inserts no row when the account is missing or the balance is
   * short. The account's row, which every rental of the account writes, is locked from here to the
   * commit, so callers make their move last.
   */
  private static final String MOVE_POSTGRESQL =
      """
      WITH moved AS (
        UPDATE accounts SET balance = balance + :amount
        WHERE id = :account AND balance + :amount >= 0
        RETURNING id)
      INSERT INTO transactions (account_id, type, amount, rental_id, service_id, note, created_at)
      SELECT id, :type, :amount, :rental, :service, :note, :now FROM moved
      """;

  /** {@link #MOVE_POSTGRESQL} as H2 says it: H2 reads an update's rows as a table, not a CTE. */
  private static final String MOVE_H2 =
      """
      INSERT INTO transactions (account_id, type, amount, rental_id, service_id, note, created_at)
      SELECT id, :type, :amount, :rental, :service, :note, :now
      FROM FINAL TABLE (UPDATE accounts SET balance = balance + :amount
                        WHERE id = :account AND balance + :amount >= 0)
      """;

  private final String move;

  public Ledger(Database.Dialect dialect) {
    this.move =
        switch (dialect) {
          case H2 -> MOVE_H2;
          case POSTGRESQL -> MOVE_POSTGRESQL;
        };
  }

  /**
   * Takes {@code cost} from the account for a rental, when {@code writes} runs.
   *
   * @throws ApiException 402, from {@link Pipeline#run}, when the balance does not cover it
   */
  public void charge(
      Pipeline writes, long accountId, Money cost, String rentalId, int serviceId, long now) {
    move(
            writes,
            accountId,
            TransactionType.RENTAL_CHARGE,
            cost.negate(),
            rentalId,
            serviceId,
            null,
            now)
        .then(
            moved -> {
              if (moved == 0) {
                throw ApiException.paymentRequired(
                    "Your balance does not cover the price of this rental.");
              }
            });
  }

  /**
   * Gives a rental's cost back when {@code writes} runs. The unique (rental, type) index makes a
   * second refund fail.
   */
  public void refund(
      Pipeline writes, long accountId, Money amount, String rentalId, int serviceId, long now) {
    credit(writes, accountId, TransactionType.REFUND, amount, rentalId, serviceId, null, now);
  }

  /** Adds money paid in by the customer. */
  public void deposit(Handle h, long accountId, Money amount, String note, long now) {
    Pipeline writes = Pipeline.oneAtATime(h);
    credit(writes, accountId, TransactionType.DEPOSIT, amount, null, null, note, now);
    writes.run();
  }

  /**
   * Takes up to {@code upTo} back from the account (money paid in that was returned to the payer),
   * as much as the balance holds: never below zero.
   *
   * @return what was taken; less than asked when the customer had spent it already
   */
  public Money takeBack(Handle h, long accountId, Money upTo, String note, long now) {
    while (true) {
      Money balance = balance(h, accountId);
      Money take = balance.compareTo(upTo) < 0 ? balance : upTo;
      if (!take.isPositive()) {
        return Money.ZERO;
      }
      Pipeline writes = Pipeline.oneAtATime(h);
      int[] moved = {0};
      move(writes, accountId, TransactionType.ADJUSTMENT, take.negate(), null, null, note, now)
          .then(rows -> moved[0] = rows);
      writes.run();
      if (moved[0] == 1) {
        return take;
      }
      // A charge committed between the read and the move: read the balance again.
    }
  }

  /** Balance of one account, read in the caller's transaction. */
  public Money balance(Handle h, long accountId) {
    return h.createQuery("SELECT balance FROM accounts WHERE id = :id")
        .bind("id", accountId)
        .mapTo(java.math.BigDecimal.class)
        .findOne()
        .map(Money::of)
        .orElseThrow(() -> new IllegalStateException("no account " + accountId));
  }

  /** The newest {@code limit} transactions of the account, newest first. */
  public List<Transaction> recent(Handle h, long accountId, int limit) {
    return olderThan(h, accountId, Long.MAX_VALUE, limit);
  }

  /**
   * Up to {@code limit} transactions of the account older than the one numbered {@code beforeId},
   * newest first: a page of a statement that stays put while new rows arrive.
   */
  public List<Transaction> olderThan(Handle h, long accountId, long beforeId, int limit) {
    return h.createQuery(
            """
            SELECT t.id, t.type, t.amount, s.name AS service_name, t.rental_id, t.note, t.created_at
            FROM transactions t LEFT JOIN services s ON s.id = t.service_id
            WHERE t.account_id = :account AND t.id < :before
            ORDER BY t.id DESC
            LIMIT :limit
            """)
        .bind("account", accountId)
        .bind("before", beforeId)
        .bind("limit", limit)
        .map(
            (rs, ctx) ->
                new Transaction(
                    rs.getLong("id"),
                    rs.getString("type"),
                    Money.of(rs.getBigDecimal("amount")),
                    rs.getString("service_name"),
                    rs.getString("rental_id"),
                    rs.getString("note"),
                    rs.getLong("created_at")))
        .list();
  }

  private void credit(
      Pipeline writes,
      long accountId,
      TransactionType type,
      Money amount,
      String rentalId,
      Integer serviceId,
      String note,
      long now) {
    if (!amount.isPositive()) {
      throw new IllegalArgumentException("credit must be positive: " + amount);
    }
    move(writes, accountId, type, amount, rentalId, serviceId, note, now)
        .then(
            moved -> {
              if (moved == 0) {
                throw new IllegalStateException("no account " + accountId);
              }
            });
  }

  private Pipeline.Step move(
      Pipeline writes,
      long accountId,
      TransactionType type,
      Money amount,
      String rentalId,
      Integer serviceId,
      String note,
      long now) {
    return writes
        .add(move)
        .bind("account", accountId)
        .bind("type", type.wire())
        .bind("amount", amount.amount())
        .bind("rental", rentalId)
        .bind("service", serviceId)
        .bind("note", note)
        .bind("now", now);
  }
}
