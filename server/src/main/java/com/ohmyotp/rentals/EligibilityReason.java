package com.ohmyotp.rentals;

import java.util.Locale;

/** Why a number can or cannot be re-rented; the wire names are the reference's reasons. */
public enum EligibilityReason {
  OK,
  PHONE_CURRENTLY_ACTIVE,
  PHONE_EXPIRED,
  PHONE_NOT_IN_INVENTORY,
  NOT_PREVIOUSLY_RENTED,
  INSUFFICIENT_BALANCE,
  INVALID_PHONE_NUMBER;

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }
}
