package com.ohmyotp.ledger;

import java.util.Locale;

/** The kinds of ledger row. Their wire names are the lower-case enum names. */
public enum TransactionType {
  DEPOSIT,
  RENTAL_CHARGE,
  REFUND,
  ADJUSTMENT;

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static TransactionType fromWire(String wire) {
    return valueOf(wire.toUpperCase(Locale.ROOT));
  }
}
