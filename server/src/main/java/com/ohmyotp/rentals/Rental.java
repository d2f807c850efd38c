package com.ohmyotp.rentals;

import com.ohmyotp.ledger.Money;

/**
 * A rental as stored. {@code status} is the stored status, which may lag behind the clock: use
 * {@link Lifecycle#visibleStatus} for what the customer sees.
 *
 * @param endedAt when it was cancelled or expired
 * @param refundAmount what was refunded on cancel or expiry; null while it runs or once completed
 */
public record Rental(
    String id,
    long activationId,
    long accountId,
    int serviceId,
    String serviceName,
    long numberId,
    String e164,
    String source,
    RentalStatus status,
    Money cost,
    boolean rerent,
    long rentedAt,
    long expiresAt,
    Long endedAt,
    Money refundAmount,
    int smsCount) {

  /** This rental as it is once cancelled or expired at {@code endedAt}. */
  public Rental ended(RentalStatus endStatus, long endedAt, Money refund) {
    return new Rental(
        id,
        activationId,
        accountId,
        serviceId,
        serviceName,
        numberId,
        e164,
        source,
        endStatus,
        cost,
        rerent,
        rentedAt,
        expiresAt,
        endedAt,
        refund,
        smsCount);
  }
}
