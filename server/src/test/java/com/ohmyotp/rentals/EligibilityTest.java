package com.ohmyotp.rentals;

import static org.assertj.core.api.Assertions.assertThat;

import com.ohmyotp.inventory.Inventory.PhoneState;
import com.ohmyotp.ledger.Money;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class EligibilityTest {

  private static final long NOW = 10_000;
  private static final int WINDOW = 600;
  private static final Money COST = Money.of("0.4");
  private static final Money RICH = Money.of("10");

  private static Optional<PhoneState> phone(
      boolean retired, Long expiresAt, Long heldUntil, boolean mine) {
    return Optional.of(new PhoneState(7, "gateway", retired, expiresAt, heldUntil, mine));
  }

  private static EligibilityReason reason(Optional<PhoneState> state, Money balance) {
    return Eligibility.forRerent(state, NOW, WINDOW, balance, COST);
  }

  @Test
  void aFreeNumberRentedBeforeByTheCallerIsOk() {
    assertThat(reason(phone(false, null, null, true), RICH)).isEqualTo(EligibilityReason.OK);
    assertThat(reason(phone(false, NOW + WINDOW, NOW, true), COST)).isEqualTo(EligibilityReason.OK);
  }

  @Test
  void unknownOrRetiredNumbersAreNotInInventory() {
    assertThat(reason(Optional.empty(), RICH)).isEqualTo(EligibilityReason.PHONE_NOT_IN_INVENTORY);
    assertThat(reason(phone(true, null, null, true), RICH))
        .isEqualTo(EligibilityReason.PHONE_NOT_IN_INVENTORY);
  }

  @Test
  void someoneElsesNumberIsNotPreviouslyRentedEvenWhenItIsBusy() {
    assertThat(reason(phone(false, null, NOW + 60, false), RICH))
        .isEqualTo(EligibilityReason.NOT_PREVIOUSLY_RENTED);
  }

  @Test
  void aNumberLeavingInventoryBeforeANewWindowEndsIsExpired() {
    assertThat(reason(phone(false, NOW + WINDOW - 1, null, true), RICH))
        .isEqualTo(EligibilityReason.PHONE_EXPIRED);
    assertThat(reason(phone(false, NOW - 1, null, true), RICH))
        .isEqualTo(EligibilityReason.PHONE_EXPIRED);
  }

  @Test
  void aHeldNumberIsCurrentlyActiveUntilItsHoldLapses() {
    assertThat(reason(phone(false, null, NOW + 1, true), RICH))
        .isEqualTo(EligibilityReason.PHONE_CURRENTLY_ACTIVE);
    assertThat(reason(phone(false, null, NOW, true), RICH)).isEqualTo(EligibilityReason.OK);
  }

  @Test
  void balanceBelowTheCostIsInsufficient() {
    assertThat(reason(phone(false, null, null, true), Money.of("0.3999")))
        .isEqualTo(EligibilityReason.INSUFFICIENT_BALANCE);
  }

  @Test
  void wireNamesAreTheReferencesReasons() {
    assertThat(EligibilityReason.PHONE_CURRENTLY_ACTIVE.wire()).isEqualTo("phone_currently_active");
    assertThat(EligibilityReason.OK.wire()).isEqualTo("ok");
    assertThat(EligibilityReason.NOT_PREVIOUSLY_RENTED.wire()).isEqualTo("not_previously_rented");
  }
}
