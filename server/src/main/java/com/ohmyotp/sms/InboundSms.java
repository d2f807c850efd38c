package com.ohmyotp.sms;

/**
 * An SMS as a number source hands it over.
 *
 * @param to the number it was sent to, in any common format
 * @param receivedAt Unix seconds; null means now
 */
public record InboundSms(String to, String from, String text, Long receivedAt) {}
