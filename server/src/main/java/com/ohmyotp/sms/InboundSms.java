package com.ohmyotp.sms;

/**
 * An SMS as a number source hands it over.
 *
 * @param to the number it was sent to, in any common format
 * @param receivedAt Unix seconds; null means now
 * @param dedupKey what makes it the same message when it comes again (its sender's message id, or a
 *     hash of the signed post); null when the source never repeats one
 * @param code the code as the source read it already (an upstream provider's), or null to have it
 *     read from the text
 */
public record InboundSms(
    String to, String from, String text, Long receivedAt, String dedupKey, String code) {

  /** An SMS whose code is read from its text. */
  public InboundSms(String to, String from, String text, Long receivedAt, String dedupKey) {
    this(to, from, text, receivedAt, dedupKey, null);
  }

  /** An SMS its source never hands over twice. */
  public InboundSms(String to, String from, String text, Long receivedAt) {
    this(to, from, text, receivedAt, null, null);
  }
}
