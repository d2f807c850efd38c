package com.ohmyotp.rentals;

import com.ohmyotp.api.ApiException;
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

  /** The reason in a sentence for the customer, as the history page shows it. */
  public String explanation() {
    return switch (this) {
      case OK -> "Can be rented again";
      case PHONE_CURRENTLY_ACTIVE -> "In use by a rental now";
      case PHONE_EXPIRED -> "Leaves our stock before a new rental would end";
      case PHONE_NOT_IN_INVENTORY -> "No longer in our stock";
      case NOT_PREVIOUSLY_RENTED -> "Not rented by you for this service";
      case INSUFFICIENT_BALANCE -> "Your balance is below the price: top up to rent it again";
      case INVALID_PHONE_NUMBER -> "Not a valid number";
    };
  }

  /** The reason a wire name names; {@code null} for none. */
  public static EligibilityReason fromWire(String wire) {
    for (EligibilityReason r : values()) {
      if (r.wire().equals(wire)) {
        return r;
      }
    }
    return null;
  }

  /** What a re-rent refused for this reason answers. */
  ApiException refusal() {
    return switch (this) {
      case PHONE_NOT_IN_INVENTORY ->
          ApiException.notFound(wire(), "That phone number is not in inventory.");
      case NOT_PREVIOUSLY_RENTED ->
          ApiException.conflict(
              wire(), "You have not rented that phone number for this service before.");
      case PHONE_EXPIRED ->
          ApiException.conflict(
              wire(), "That phone number leaves inventory before a new rental would end.");
      case PHONE_CURRENTLY_ACTIVE ->
          ApiException.conflict(wire(), "That phone number is in use by an active rental.");
      case INSUFFICIENT_BALANCE ->
          ApiException.paymentRequired("Your balance does not cover the price of this rental.");
      case INVALID_PHONE_NUMBER ->
          ApiException.badRequest(wire(), "That is not a valid phone number.");
      case OK -> throw new IllegalStateException("not a refusal");
    };
  }
}
