package com.ohmyotp.accounts;

import com.ohmyotp.ledger.Money;

/** A customer: one balance, reached through API keys and (later) the website. */
public record Account(long id, String email, Money balance, long createdAt) {}
