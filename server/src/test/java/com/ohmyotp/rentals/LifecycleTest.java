package com.ohmyotp.rentals;

import static org.assertj.core.api.Assertions.assertThat;

import com.ohmyotp.ledger.Money;
import com.ohmyotp.rentals.Lifecycle.CancelOutcome;
import org.junit.jupiter.api.Test;

class LifecycleTest {

  private static final long RENTED = 1_000;
  private static final long EXPIRES = 1_600;

  private static Rental rental(RentalStatus status) {
    return new Rental(
        "r1",
        4_294_967_296L,
        1,
        1,
        "Uber",
        1,
        "+13026873874",
        "simulator",
        status,
        Money.of("0.4"),
        false,
        RENTED,
        EXPIRES,
        null,
        null,
        status == RentalStatus.COMPLETED ? 1 : 0);
  }

  @Test
  void activeRentalPastItsWindowIsShownExpiredEvenBeforeTheSweep() {
    assertThat(Lifecycle.visibleStatus(RentalStatus.ACTIVE, EXPIRES, EXPIRES - 1))
        .isEqualTo(RentalStatus.ACTIVE);
    assertThat(Lifecycle.visibleStatus(RentalStatus.ACTIVE, EXPIRES, EXPIRES))
        .isEqualTo(RentalStatus.EXPIRED);
    assertThat(Lifecycle.visibleStatus(RentalStatus.COMPLETED, EXPIRES, EXPIRES + 5))
        .isEqualTo(RentalStatus.COMPLETED);
  }

  @Test
  void numberIsHeldWhileTheWindowIsOpenAndNotAfter() {
    assertThat(Lifecycle.holdsNumber(RentalStatus.ACTIVE, EXPIRES, EXPIRES - 1)).isTrue();
    assertThat(Lifecycle.holdsNumber(RentalStatus.COMPLETED, EXPIRES, EXPIRES - 1)).isTrue();
    assertThat(Lifecycle.holdsNumber(RentalStatus.COMPLETED, EXPIRES, EXPIRES)).isFalse();
    assertThat(Lifecycle.holdsNumber(RentalStatus.CANCELLED, EXPIRES, RENTED)).isFalse();
    assertThat(Lifecycle.holdsNumber(RentalStatus.EXPIRED, EXPIRES, RENTED)).isFalse();
  }

  @Test
  void cancelBeforeAnySmsRefundsTheFullCost() {
    assertThat(Lifecycle.cancel(rental(RentalStatus.ACTIVE), RENTED + 10))
        .isEqualTo(new CancelOutcome.Cancelled(Money.of("0.4")));
  }

  @Test
  void cancelAfterAnSmsRefundsNothing() {
    assertThat(Lifecycle.cancel(rental(RentalStatus.COMPLETED), RENTED + 10))
        .isEqualTo(new CancelOutcome.Cancelled(Money.ZERO));
  }

  @Test
  void cancelOfARentalThatNoLongerHoldsItsNumberChangesNothing() {
    assertThat(Lifecycle.cancel(rental(RentalStatus.ACTIVE), EXPIRES))
        .isEqualTo(new CancelOutcome.NotHeld(RentalStatus.EXPIRED));
    assertThat(Lifecycle.cancel(rental(RentalStatus.COMPLETED), EXPIRES + 1))
        .isEqualTo(new CancelOutcome.NotHeld(RentalStatus.COMPLETED));
    assertThat(Lifecycle.cancel(rental(RentalStatus.CANCELLED), RENTED + 1))
        .isEqualTo(new CancelOutcome.NotHeld(RentalStatus.CANCELLED));
  }

  @Test
  void onlyActiveRentalsPastTheirWindowAreDueForExpiry() {
    assertThat(Lifecycle.isDueForExpiry(rental(RentalStatus.ACTIVE), EXPIRES)).isTrue();
    assertThat(Lifecycle.isDueForExpiry(rental(RentalStatus.ACTIVE), EXPIRES - 1)).isFalse();
    assertThat(Lifecycle.isDueForExpiry(rental(RentalStatus.COMPLETED), EXPIRES + 100)).isFalse();
  }

  @Test
  void smsIsAcceptedOnlyWhileTheNumberIsHeld() {
    long now = EXPIRES - 1;
    assertThat(Lifecycle.acceptsSms(rental(RentalStatus.ACTIVE), now, now)).isTrue();
    assertThat(Lifecycle.acceptsSms(rental(RentalStatus.COMPLETED), now, now)).isTrue();
    assertThat(Lifecycle.acceptsSms(rental(RentalStatus.ACTIVE), EXPIRES, EXPIRES)).isFalse();
    assertThat(Lifecycle.acceptsSms(rental(RentalStatus.CANCELLED), RENTED + 1, RENTED + 1))
        .isFalse();
  }

  @Test
  void anSmsDatedWellBeforeTheRentalBeganIsNotItsOwn() {
    long now = RENTED + 10;
    // A minute of clock difference is allowed; anything older was meant for an earlier holder.
    assertThat(Lifecycle.acceptsSms(rental(RentalStatus.ACTIVE), RENTED - 60, now)).isTrue();
    assertThat(Lifecycle.acceptsSms(rental(RentalStatus.ACTIVE), RENTED - 61, now)).isFalse();
    assertThat(Lifecycle.acceptsSms(rental(RentalStatus.ACTIVE), RENTED - 86_400, now)).isFalse();
  }

  @Test
  void finishingLetsACompletedRentalGoAndLeavesOneWithoutAnSmsAlone() {
    assertThat(Lifecycle.finish(rental(RentalStatus.COMPLETED), RENTED + 10))
        .isEqualTo(new Lifecycle.FinishOutcome.Finished());
    assertThat(Lifecycle.finish(rental(RentalStatus.ACTIVE), RENTED + 10))
        .isEqualTo(new Lifecycle.FinishOutcome.NoSmsYet());
    assertThat(Lifecycle.finish(rental(RentalStatus.COMPLETED), EXPIRES))
        .isEqualTo(new Lifecycle.FinishOutcome.NotHeld(RentalStatus.COMPLETED));
    assertThat(Lifecycle.finish(rental(RentalStatus.ACTIVE), EXPIRES))
        .isEqualTo(new Lifecycle.FinishOutcome.NotHeld(RentalStatus.EXPIRED));
    assertThat(Lifecycle.finish(rental(RentalStatus.CANCELLED), RENTED + 10))
        .isEqualTo(new Lifecycle.FinishOutcome.NotHeld(RentalStatus.CANCELLED));
  }

  @Test
  void anotherSmsMayBeAwaitedOnlyAfterTheFirstWhileTheNumberIsHeld() {
    assertThat(Lifecycle.canAwaitAnotherSms(rental(RentalStatus.COMPLETED), RENTED + 10)).isTrue();
    assertThat(Lifecycle.canAwaitAnotherSms(rental(RentalStatus.ACTIVE), RENTED + 10)).isFalse();
    assertThat(Lifecycle.canAwaitAnotherSms(rental(RentalStatus.COMPLETED), EXPIRES)).isFalse();
    assertThat(Lifecycle.canAwaitAnotherSms(rental(RentalStatus.CANCELLED), RENTED + 10)).isFalse();
  }
}
