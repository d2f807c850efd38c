package com.ohmyotp.rentals;

import com.ohmyotp.ledger.Money;

/**
 * The rental lifecycle as plain functions of a rental and the current time. Every write path locks
 * the rental row, asks these functions what to do, and writes the answer; the reads use them to
 * show a status that is never stale.
 *
 * <p>Queries that choose rentals by these rules use their SQL forms here, written for a {@code
 * rentals} row called {@code r} and the time bound as {@code :now}; {@code LifecycleSqlTest} checks
 * that each agrees with its Java form for every status and time.
 */
public final class Lifecycle {

  private Lifecycle() {}

  /** {@link #holdsNumber} in SQL. */
  public static final String HOLDS_NUMBER =
      "r.status IN ('active', 'completed') AND r.expires_at > :now";

  /** {@link #isDueForExpiry} in SQL. */
  public static final String DUE_FOR_EXPIRY = "r.status = 'active' AND r.expires_at <= :now";

  /** The status a rental takes when an SMS arrives for it ({@link #acceptsSms}). */
  public static final RentalStatus AFTER_SMS = RentalStatus.COMPLETED;

  /** The status the customer sees at {@code now}: an active rental past its window is expired. */
  public static RentalStatus visibleStatus(RentalStatus stored, long expiresAt, long now) {
    return stored == RentalStatus.ACTIVE && now >= expiresAt ? RentalStatus.EXPIRED : stored;
  }

  /** Whether the rental holds its number at {@code now}: active or completed, window open. */
  public static boolean holdsNumber(RentalStatus stored, long expiresAt, long now) {
    return (stored == RentalStatus.ACTIVE || stored == RentalStatus.COMPLETED) && now < expiresAt;
  }

  /** Whether the window closed with no SMS and the expiry (with its refund) is still to be done. */
  public static boolean holdsNumber(Rental rental, long now) {
    return holdsNumber(rental.status(), rental.expiresAt(), now);
  }

  public static boolean isDueForExpiry(Rental rental, long now) {
    return isDueForExpiry(rental.status(), rental.expiresAt(), now);
  }

  public static boolean isDueForExpiry(RentalStatus stored, long expiresAt, long now) {
    return stored == RentalStatus.ACTIVE && now >= expiresAt;
  }

  /**
   * How long before a rental's start an SMS may be dated and still be its: clocks of gateways and
   * phones run a little apart, but an older message was meant for an earlier holder of the number.
   */
  public static final long SMS_BEFORE_START_SECONDS = 60;

  /**
   * An SMS is accepted by the rental holding the number while its window is open, unless it is
   * dated more than {@link #SMS_BEFORE_START_SECONDS} before the rental began (a replayed or late
   * message would otherwise complete the rental and lose its refund).
   */
  public static boolean acceptsSms(Rental rental, long receivedAt, long now) {
    return holdsNumber(rental, now) && receivedAt >= rental.rentedAt() - SMS_BEFORE_START_SECONDS;
  }

  /** What cancelling a rental at {@code now} does. */
  public sealed interface CancelOutcome {
    /** The rental is released; {@code refund} is its full cost if no SMS arrived, else zero. */
    record Cancelled(Money refund) implements CancelOutcome {}

    /** The rental does not hold its number any more; nothing changes. */
    record NotHeld(RentalStatus visibleStatus) implements CancelOutcome {}
  }

  public static CancelOutcome cancel(Rental rental, long now) {
    if (!holdsNumber(rental, now)) {
      return new CancelOutcome.NotHeld(visibleStatus(rental.status(), rental.expiresAt(), now));
    }
    Money refund = rental.status() == RentalStatus.ACTIVE ? rental.cost() : Money.ZERO;
    return new CancelOutcome.Cancelled(refund);
  }

  /**
   * What finishing a rental at {@code now} does: the SMS-Activate protocol's status 6 ("the code
   * worked, release the number"). A completed rental that holds its number lets it go now and keeps
   * its charge; one with no SMS yet is left alone, since finishing it would give up the refund its
   * customer is owed if no code comes.
   */
  public sealed interface FinishOutcome {
    /** The rental lets its number go now; it stays completed and is not refunded. */
    record Finished() implements FinishOutcome {}

    /** No SMS has come: nothing changes. */
    record NoSmsYet() implements FinishOutcome {}

    /** The rental does not hold its number any more; nothing changes. */
    record NotHeld(RentalStatus visibleStatus) implements FinishOutcome {}
  }

  public static FinishOutcome finish(Rental rental, long now) {
    if (!holdsNumber(rental, now)) {
      return new FinishOutcome.NotHeld(visibleStatus(rental.status(), rental.expiresAt(), now));
    }
    return rental.status() == RentalStatus.COMPLETED
        ? new FinishOutcome.Finished()
        : new FinishOutcome.NoSmsYet();
  }

  /**
   * Whether the customer may ask for another SMS on the rental (the protocol's status 3): it holds
   * its number and has had its first SMS.
   */
  public static boolean canAwaitAnotherSms(Rental rental, long now) {
    return holdsNumber(rental, now) && rental.status() == RentalStatus.COMPLETED;
  }
}
