package com.ohmyotp.ledger;

/**
 * One ledger row as the API shows it. {@code serviceId} is the service's name, as in the reference
 * ({@code "service_id": "Uber"}); it and {@code rentalId} are null for deposits.
 */
public record Transaction(
    long id,
    String type,
    Money amount,
    String serviceId,
    String rentalId,
    String note,
    long createdAtUnix) {}
