package com.ohmyotp.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import com.ohmyotp.db.Database;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * What must be true of the data whatever happened before: races, several nodes, a database
 * outage, a crash. Each check is one query that lists the rows breaking it, so a failure names
 * them.
 */
public final class Invariants {

  /** When a rental stops holding its number: at its cancellation, else at the end of its window. */
  private static final String HOLD_END = "CASE WHEN %1$s.status = 'cancelled' THEN %1$s.ended_at ELSE %1$s.expires_at END";

  /** Whether a rental must have been refunded: it expired, or it was cancelled before any SMS. */
  private static final String REFUND_DUE = "(r.status = 'expired' OR (r.status = 'cancelled' AND r.sms_count = 0))";

  private static final List<Check> CHECKS = List.of(
      new Check("a number held by two rentals at once", """
          SELECT n.e164 || ': ' || a.id || ' and ' || b.id FROM rentals a
          JOIN rentals b ON b.number_id = a.number_id AND a.id < b.id
          JOIN phone_numbers n ON n.id = a.number_id
          WHERE a.rented_at < %s AND b.rented_at < %s
          """.formatted(HOLD_END.formatted("b"), HOLD_END.formatted("a"))),
      new Check("a balance that is not the sum of its transactions, or is negative", """
          SELECT 'account ' || a.id || ': balance ' || a.balance || ', transactions ' || COALESCE(SUM(t.amount), 0)
          FROM accounts a LEFT JOIN transactions t ON t.account_id = a.id
          GROUP BY a.id, a.balance
          HAVING a.balance <> COALESCE(SUM(t.amount), 0) OR a.balance < 0
          """),
      new Check("a rental not charged exactly once, for its cost, to its account", """
          SELECT r.id || ': ' || COUNT(t.id) || ' charges' FROM rentals r
          LEFT JOIN transactions t ON t.rental_id = r.id AND t.type = 'rental_charge'
          GROUP BY r.id, r.cost, r.account_id
          HAVING COUNT(t.id) <> 1 OR SUM(t.amount) <> -r.cost OR MIN(t.account_id) <> r.account_id
          """),
      new Check("a rental refunded when it should not be, twice, or not in full", """
          SELECT r.id || ' (' || r.status || ', ' || r.sms_count || ' sms): ' || COUNT(t.id) || ' refunds of '
              || COALESCE(SUM(t.amount), 0)
          FROM rentals r LEFT JOIN transactions t ON t.rental_id = r.id AND t.type = 'refund'
          GROUP BY r.id, r.status, r.sms_count, r.cost
          HAVING COUNT(t.id) <> CASE WHEN %1$s THEN 1 ELSE 0 END
              OR COALESCE(SUM(t.amount), 0) <> CASE WHEN %1$s THEN r.cost ELSE 0 END
          """.formatted(REFUND_DUE)),
      new Check("a rental whose status disagrees with its messages", """
          SELECT r.id || ' (' || r.status || '): sms_count ' || r.sms_count || ', messages ' || COUNT(m.id)
          FROM rentals r LEFT JOIN sms_messages m ON m.rental_id = r.id
          GROUP BY r.id, r.status, r.sms_count
          HAVING r.sms_count <> COUNT(m.id)
              OR (r.status = 'completed' AND r.sms_count = 0)
              OR (r.status IN ('active', 'expired') AND r.sms_count > 0)
          """),
      new Check("a transaction for a rental of another account, or of no rental", """
          SELECT 'transaction ' || t.id FROM transactions t LEFT JOIN rentals r ON r.id = t.rental_id
          WHERE t.rental_id IS NOT NULL AND (r.id IS NULL OR r.account_id <> t.account_id)
          """));

  private record Check(String name, String sql) {}

  private Invariants() {}

  /** Every broken invariant, each with the rows that break it; empty when all hold. */
  public static List<String> violations(Handle h) {
    List<String> violations = new ArrayList<>();
    for (Check check : CHECKS) {
      List<String> rows = h.createQuery(check.sql()).mapTo(String.class).list();
      if (!rows.isEmpty()) {
        violations.add(check.name() + ": " + rows.subList(0, Math.min(rows.size(), 10)));
      }
    }
    return violations;
  }

  public static void assertHold(Jdbi jdbi) {
    assertThat(jdbi.withHandle(Invariants::violations)).as("invariants").isEmpty();
  }

  public static void assertHold(Database db) {
    assertThat(db.read(Invariants::violations)).as("invariants").isEmpty();
  }
}
