package com.ohmyotp.sms;

/** What became of an inbound SMS handed to a {@link SmsSink}. */
public sealed interface Delivery {

  /** It reached the rental that held its number. */
  record ToRental(String rentalId) implements Delivery {}

  /** It reached no rental and is kept for the operator, for {@code reason}. */
  record Unmatched(String reason) implements Delivery {}

  /** The same message came before (its sender's id, or the same signed post): nothing stored. */
  record Duplicate() implements Delivery {}
}
