package com.ohmyotp.push;

import com.ohmyotp.ledger.Money;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One event as streams and webhooks tell it: what happened ({@link #type}), to which account and
 * rental, and what the customer needs to act on it, read with the rental's number and the SMS.
 *
 * @param id the event's place in the log, the {@code id:} of a server-sent event
 * @param createdAt when it was written, in epoch seconds
 */
public record Event(
    long id,
    long accountId,
    EventType type,
    String rentalId,
    Long activationId,
    String phoneNumber,
    String service,
    Sms sms,
    Money balance,
    Money threshold,
    long createdAt) {

  /** The SMS an {@code sms.received} event carries. */
  public record Sms(long id, String sender, String message, String code, long receivedAt) {}

  /** The event's fields, in the order they are written, for a stream's data or a webhook's. */
  public Map<String, Object> data() {
    Map<String, Object> data = new LinkedHashMap<>();
    if (type == EventType.BALANCE_LOW) {
      data.put("balance", balance);
      data.put("threshold", threshold);
      return data;
    }
    data.put("rental_id", rentalId);
    data.put("activation_id", activationId);
    data.put("phone_number", phoneNumber);
    data.put("service", service);
    if (sms != null) {
      data.put("sms_id", sms.id());
      data.put("sender", sms.sender());
      data.put("message", sms.message());
      data.put("code", sms.code());
      data.put("received_at", sms.receivedAt());
    } else {
      data.put("status", type.wire().substring("rental.".length()));
      data.put("at", createdAt);
    }
    return data;
  }
}
