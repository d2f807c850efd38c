package com.ohmyotp.rentals;

import com.ohmyotp.ledger.Money;

/**
 * The rental lifecycle as plain functions of a rental and the current time. Every write path locks
 * the rental row, asks these functions what to do, and writes the answer; the reads use them to
 * show a status that is never stale.
 */
public final class Lifecycle {

  private Lifecycle() {}

  /** The status the customer sees at {@code now}: an active rental past its window is expired. */
  public static RentalStatus visibleStatus(RentalStatus stored, long expiresAt, long now) {
    return stored == RentalStatus.ACTIVE && now >= expiresAt ? RentalStatus.EXPIRED : stored;
  }

  /** Whether the rental holds its number at {@code now}: active or completed, window open. */
  public static boolean holdsNumber(RentalStatus stored, long expiresAt, long now) {
    return (stored == RentalStatus.ACTIVE || stored == RentalStatus.COMPLETED) && now < expiresAt;
  }

  /** Whether the window closed with no SMS and the expiry (with its refund) is still to be done. */
  public static boolean isDueForExpiry(Rental rental, long now) {
    return isDueForExpiry(rental.status(), rental.expiresAt(), now);
  }

  public static boolean isDueForExpiry(RentalStatus stored, long expiresAt, long now) {
    return stored == RentalStatus.ACTIVE && now >= expiresAt;
  }

  /** An SMS is accepted by the rental holding the number while its window is open. */
  public static boolean acceptsSms(Rental rental, long now) {
    return holdsNumber(rental.status(), rental.expiresAt(), now);
  }

  /** What cancelling a rental at {@code now} does. */
  public sealed interface CancelOutcome {
    /** The rental is released; {@code refund} is its full cost if no SMS arrived, else zero. */
    record Cancelled(Money refund) implements CancelOutcome {}

    /** The rental does not hold its number any more; nothing changes. */
    record NotHeld(RentalStatus visibleStatus) implements CancelOutcome {}
  }

  public static CancelOutcome cancel(Rental rental, long now) {
    if (!holdsNumber(rental.status(), rental.expiresAt(), now)) {
      return new CancelOutcome.NotHeld(visibleStatus(rental.status(), rental.expiresAt(), now));
    }
    Money refund = rental.status() == RentalStatus.ACTIVE ? rental.cost() : Money.ZERO;
    return new CancelOutcome.Cancelled(refund);
  }
}
