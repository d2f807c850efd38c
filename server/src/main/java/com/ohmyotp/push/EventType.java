package com.ohmyotp.push;

import java.util.Arrays;
import java.util.Optional;

/**
 * What an event says happened, by the name webhooks give it; {@link #stream} names it in a stream
 * of server-sent events, where the balance has no place.
 */
public enum EventType {
  SMS_RECEIVED("sms.received", "sms"),
  RENTAL_COMPLETED("rental.completed", "status"),
  RENTAL_EXPIRED("rental.expired", "status"),
  RENTAL_CANCELLED("rental.cancelled", "status"),
  BALANCE_LOW("balance.low", null);

  private final String wire;
  private final String stream;

  EventType(String wire, String stream) {
    this.wire = wire;
    this.stream = stream;
  }

  public String wire() {
    return wire;
  }

  /** The event's name in a server-sent event stream; null for events no stream carries. */
  public String stream() {
    return stream;
  }

  public static Optional<EventType> fromWire(String wire) {
    return Arrays.stream(values()).filter(t -> t.wire.equals(wire)).findFirst();
  }

  /** The event of a rental reaching {@code status} (its wire name), if that is an event. */
  public static Optional<EventType> forStatus(String status) {
    return switch (status) {
      case "completed" -> Optional.of(RENTAL_COMPLETED);
      case "expired" -> Optional.of(RENTAL_EXPIRED);
      case "cancelled" -> Optional.of(RENTAL_CANCELLED);
      default -> Optional.empty();
    };
  }
}
