package com.ohmyotp.rentals;

import com.ohmyotp.sms.SmsMessage;
import java.util.Optional;

/** What a poll of a rental's code needs: its owner, where it stands, and its newest SMS. */
record PollState(
    String id, long accountId, RentalStatus status, long expiresAt, Optional<SmsMessage> latest) {}
