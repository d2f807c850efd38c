package com.ohmyotp.api;

/** The account (and the API key) a customer request was authenticated as. */
public record Caller(long accountId, long apiKeyId) {}
