package com.ohmyotp.rentals;

import com.ohmyotp.sms.SmsMessage;
import java.util.Optional;

/**
 * What a poll of a rental's code needs: its owner, where it stands, and its newest SMS.
 *
 * @param retryAfterSms the id of the newest SMS when the customer asked for another one (the
 *     SMS-Activate protocol's status 3), or null when no other one is awaited
 */
public record PollState(
    String id,
    long accountId,
    RentalStatus status,
    long expiresAt,
    Optional<SmsMessage> latest,
    Long retryAfterSms) {}
