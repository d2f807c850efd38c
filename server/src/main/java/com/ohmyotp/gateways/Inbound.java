package com.ohmyotp.gateways;

/** What a gateway's post says, read and checked by its format. */
public sealed interface Inbound {

  /**
   * An SMS. {@code to} is null where the sender names the device and SIM slot instead; {@code
   * messageId} is what makes it the same SMS when posted again, null where the sender has none.
   */
  record Sms(
      String to,
      String device,
      Integer slot,
      String from,
      String text,
      Long receivedAt,
      String messageId,
      Part part)
      implements Inbound {}

  /** One part of a long SMS that its sender posts part by part. */
  record Part(String ref, int number, int total) {}

  /** A sign of life from a device, with no SMS. */
  record Ping(String device) implements Inbound {}

  /** An event that is not an incoming SMS (a sent or delivered report): taken and left alone. */
  record Other(String event) implements Inbound {}
}
