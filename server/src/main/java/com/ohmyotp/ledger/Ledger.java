package com.ohmyotp.ledger;

import com.ohmyotp.api.ApiException;
import java.util.List;
import org.jdbi.v3.core.Handle;

/**
 * The only code that changes a balance. Each method runs inside the caller's transaction and
 * writes the balance change and its transaction row together; a debit is one conditional
 * update, so the balance can never go below zero however many requests race.
 */
public final class Ledger {

  /**
   * Takes {@code cost} from the account for a rental.
   *
   * @throws ApiException 402 when the balance does not cover it
   */
  public void charge(Handle h, long accountId, Money cost, String rentalId, int serviceId,
      long now) {
    // The transaction row first and the balance last: the account's row, which every rental of
    // the account writes, is then locked only from its update to the commit. A refused debit
    // throws, and the row goes with the rolled-back transaction.
    record(h, accountId, TransactionType.RENTAL_CHARGE, cost.negate(), rentalId, serviceId, null,
        now);
    int updated =
        h.createUpdate(
                "UPDATE accounts SET balance = balance - :cost WHERE id = :id AND balance >= :cost")
            .bind("cost", cost.amount())
            .bind("id", accountId)
            .execute();
    if (updated == 0) {
      throw ApiException.paymentRequired("Your balance does not cover the price of this rental.");
    }
  }

  /** Gives a rental's cost back. The unique (rental, type) index makes a second refund fail. */
  public void refund(Handle h, long accountId, Money amount, String rentalId, int serviceId,
      long now) {
    record(h, accountId, TransactionType.REFUND, amount, rentalId, serviceId, null, now);
    credit(h, accountId, amount);
  }

  /** Adds money paid in by the customer. */
  public void deposit(Handle h, long accountId, Money amount, String note, long now) {
    credit(h, accountId, amount);
    record(h, accountId, TransactionType.DEPOSIT, amount, null, null, note, now);
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
    return h.createQuery(
            """
            SELECT t.id, t.type, t.amount, s.name AS service_name, t.rental_id, t.note, t.created_at
            FROM transactions t LEFT JOIN services s ON s.id = t.service_id
            WHERE t.account_id = :account
            ORDER BY t.id DESC
            LIMIT :limit
            """)
        .bind("account", accountId)
        .bind("limit", limit)
        .map((rs, ctx) -> new Transaction(
            rs.getLong("id"),
            rs.getString("type"),
            Money.of(rs.getBigDecimal("amount")),
            rs.getString("service_name"),
            rs.getString("rental_id"),
            rs.getString("note"),
            rs.getLong("created_at")))
        .list();
  }

  private static void credit(Handle h, long accountId, Money amount) {
    if (!amount.isPositive()) {
      throw new IllegalArgumentException("credit must be positive: " + amount);
    }
    int updated =
        h.createUpdate("UPDATE accounts SET balance = balance + :amount WHERE id = :id")
            .bind("amount", amount.amount())
            .bind("id", accountId)
            .execute();
    if (updated == 0) {
      throw new IllegalStateException("no account " + accountId);
    }
  }

  private static void record(Handle h, long accountId, TransactionType type, Money amount,
      String rentalId, Integer serviceId, String note, long now) {
    h.createUpdate(
            """
            INSERT INTO transactions (account_id, type, amount, rental_id, service_id, note, created_at)
            VALUES (:account, :type, :amount, :rental, :service, :note, :now)
            """)
        .bind("account", accountId)
        .bind("type", type.wire())
        .bind("amount", amount.amount())
        .bind("rental", rentalId)
        .bind("service", serviceId)
        .bind("note", note)
        .bind("now", now)
        .execute();
  }
}
