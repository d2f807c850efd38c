package com.ohmyotp.sms;

/** An SMS that arrived for no held rental; kept for the operator, shown to no customer. */
public record UnmatchedSms(
    long id,
    String toNumber,
    String sender,
    String message,
    String reason,
    long receivedAt,
    long recordedAt) {}
