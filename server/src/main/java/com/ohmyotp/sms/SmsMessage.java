package com.ohmyotp.sms;

/**
 * One SMS a rental received. {@code message} is the exact text as received; {@code code} is what
 * {@link CodeExtractor} found in it, or null.
 */
public record SmsMessage(
    long id, String rentalId, String sender, String message, String code, long receivedAt) {}
