package com.ohmyotp.rentals;

import com.ohmyotp.inventory.Inventory.PhoneState;
import com.ohmyotp.ledger.Money;
import java.util.Optional;

/**
 * The re-rent rule: the same account may rent again a number it rented before for the same service,
 * if the number is in inventory, lasts a whole new window and nobody holds it.
 */
public final class Eligibility {

  private Eligibility() {}

  /**
   * @param state the number's facts, empty when it is not in inventory at all
   * @param windowSeconds the service's rental duration
   */
  public static EligibilityReason forRerent(
      Optional<PhoneState> state, long now, int windowSeconds, Money balance, Money cost) {
    if (state.isEmpty() || state.get().retired()) {
      return EligibilityReason.PHONE_NOT_IN_INVENTORY;
    }
    PhoneState phone = state.get();
    if (!phone.rentedBeforeByCaller()) {
      return EligibilityReason.NOT_PREVIOUSLY_RENTED;
    }
    if (phone.expiresAt() != null && phone.expiresAt() < now + windowSeconds) {
      return EligibilityReason.PHONE_EXPIRED;
    }
    if (phone.heldUntil() != null && phone.heldUntil() > now) {
      return EligibilityReason.PHONE_CURRENTLY_ACTIVE;
    }
    if (balance.compareTo(cost) < 0) {
      return EligibilityReason.INSUFFICIENT_BALANCE;
    }
    return EligibilityReason.OK;
  }
}
