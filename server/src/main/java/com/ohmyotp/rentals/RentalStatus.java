package com.ohmyotp.rentals;

import java.util.Locale;
import java.util.Optional;

/** Where a rental is in its lifecycle. Wire names are the lower-case enum names. */
public enum RentalStatus {
  /** Window open, no SMS yet. */
  ACTIVE,
  /** At least one SMS arrived; the number stays held until the window closes. */
  COMPLETED,
  /** The window closed without an SMS; the cost was refunded. */
  EXPIRED,
  /** Released by the customer. */
  CANCELLED;

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<RentalStatus> fromWire(String wire) {
    for (RentalStatus status : values()) {
      if (status.wire().equals(wire)) {
        return Optional.of(status);
      }
    }
    return Optional.empty();
  }
}
