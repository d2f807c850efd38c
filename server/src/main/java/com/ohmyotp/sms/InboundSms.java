package com.ohmyotp.sms;

/**
 * An SMS as a number source hands it over.
 *
 * @param to the number it was sent to, in any common format
 * @param receivedAt Unix seconds; null means now
 * @param dedupKey what makes it the same message when it comes again (its sender's message id, or a
 *     hash of the signed post); null when the source never repeats one
 */
public record InboundSms(String to, String from, String text, Long receivedAt, String dedupKey) {

  /** An SMS its source never hands over twice. */
  public InboundSms(String to, String from, String text, Long receivedAt) {
    this(to, from, text, receivedAt, null);
  }
}
