package com.ohmyotp.client;

import java.math.BigDecimal;
import java.util.List;

/** The API's JSON shapes as Java records. Money is {@link BigDecimal}; times are Unix seconds. */
public final class Models {

  private Models() {}

  /** A service numbers can be rented for. */
  public record Service(
      String id,
      String name,
      BigDecimal price,
      long available,
      String category,
      int durationSeconds) {}

  /** {@code GET /services}. */
  public record ServiceList(List<Service> services, int total) {}

  /**
   * One SMS a rental received: {@code code} when one is plainly the verification code, {@code
   * codes} every candidate the text holds.
   */
  public record Sms(
      long id, String sender, String message, String code, List<String> codes, long receivedAt) {}

  /**
   * A rental and the SMS it received.
   *
   * @param activationId the rental's number in the SMS-Activate protocol, between 2^32 and 2^53
   */
  public record Rental(
      String id,
      long activationId,
      String serviceId,
      String phoneNumber,
      String phoneE164,
      String country,
      String status,
      BigDecimal cost,
      long rentedAt,
      long expiresAt,
      boolean rerent,
      Long cancelledAt,
      BigDecimal refundAmount,
      List<Sms> smsMessages) {}

  /** A page of rentals. */
  public record RentalPage(List<Rental> rentals, long total, int page, int limit) {}

  /** A rental in the history, with its newest SMS and whether it can be re-rented now. */
  public record HistoryEntry(
      String id,
      long activationId,
      String serviceId,
      String phoneNumber,
      String phoneE164,
      String country,
      String status,
      BigDecimal cost,
      long rentedAt,
      long expiresAt,
      boolean rerent,
      Long cancelledAt,
      BigDecimal refundAmount,
      int smsCount,
      String lastCode,
      String lastSmsFullText,
      Long lastSmsReceivedAt,
      boolean rentable,
      String rentableReason) {}

  /** A page of history. */
  public record HistoryPage(List<HistoryEntry> rentals, long total, int page, int limit) {}

  /** {@code GET /rentals/:id/code}: the newest code, null until one arrives. */
  public record Code(
      String rentalId,
      String status,
      String code,
      String message,
      String sender,
      Long receivedAt,
      long expiresAt,
      Long smsId) {}

  /** {@code POST /rentals/:id/cancel}. */
  public record Cancellation(String id, String status, BigDecimal refundAmount, long cancelledAt) {}

  /** One ledger row. */
  public record Transaction(
      String type,
      BigDecimal amount,
      String serviceId,
      long createdAtUnix,
      long id,
      String rentalId,
      String note) {}

  /** {@code GET /balance}. */
  public record Balance(BigDecimal balance, List<Transaction> transactions) {}

  /** {@code POST /balance/redeem}: what the voucher added and the balance after. */
  public record Redeemed(BigDecimal amount, BigDecimal balance) {}

  /** {@code GET /user/me}. */
  public record Me(long id, String email, BigDecimal balance, long createdAt) {}

  /** One row of a re-rent check. */
  public record RerentResult(
      String phoneNumber, boolean eligible, String reason, BigDecimal cost) {}

  /** {@code POST /rentals/rerent/check}. */
  public record RerentCheck(
      String serviceId,
      BigDecimal cost,
      BigDecimal balance,
      int eligibleCount,
      List<RerentResult> results) {}

  /** A webhook endpoint; {@code secret} only in the answer that made or rotated it. */
  public record Webhook(
      String id,
      String url,
      List<String> events,
      boolean enabled,
      String disabledReason,
      long createdAt,
      String secret) {}

  /** {@code GET /webhooks}. */
  public record WebhookList(List<Webhook> webhooks) {}

  /** One delivery to a webhook endpoint. */
  public record Delivery(
      long id,
      Long eventId,
      String type,
      String state,
      int attempts,
      Long nextAttemptAt,
      Integer lastStatus,
      String lastError,
      long createdAt,
      Long finishedAt) {}

  /** {@code GET /webhooks/:id/deliveries}. */
  public record DeliveryList(List<Delivery> deliveries) {}

  /** A delivery queued by a test or a replay. */
  public record Queued(long deliveryId, String state) {}

  /** Why a rental is reported in {@code POST /rentals/:id/report}. */
  public enum ReportReason {
    NUMBER_ALREADY_USED,
    NO_SMS,
    OTHER;

    String wire() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /**
   * One event of a stream ({@code /events}): {@code sms} for an SMS, {@code status} for a rental's
   * end. Pass {@link #id()} as the last id to resume after it.
   */
  public record Event(String id, String event, EventData data) {}

  /**
   * What an event carries: the rental and, for {@code sms}, the SMS ({@code smsId} to {@code
   * receivedAt}); for {@code status}, the rental's new {@code status} and when ({@code at}).
   */
  public record EventData(
      String rentalId,
      Long activationId,
      String phoneNumber,
      String service,
      Long smsId,
      String sender,
      String message,
      String code,
      Long receivedAt,
      String status,
      Long at) {}
}
