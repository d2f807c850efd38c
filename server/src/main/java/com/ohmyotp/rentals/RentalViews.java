package com.ohmyotp.rentals;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.ohmyotp.inventory.PhoneNumbers;
import com.ohmyotp.ledger.Money;
import com.ohmyotp.sms.CodeExtractor;
import com.ohmyotp.sms.SmsMessage;
import java.util.List;

/** The JSON shapes of the rental endpoints, and how a {@link Rental} becomes one. */
public final class RentalViews {

  private final PhoneNumbers phones;
  private final CodeExtractor extractor;

  public RentalViews(PhoneNumbers phones, CodeExtractor extractor) {
    this.phones = phones;
    this.extractor = extractor;
  }

  /**
   * One SMS in {@code sms_messages}: {@code code} when one is plainly the verification code, and
   * {@code codes}, every candidate the text holds, for clients that choose themselves.
   */
  public record SmsView(
      long id, String sender, String message, String code, List<String> codes, long receivedAt) {}

  private SmsView sms(SmsMessage sms) {
    List<String> codes = extractor.read(sms.message()).codes();
    if (sms.code() != null && !codes.contains(sms.code())) {
      // A code the gateway read itself, or one read by an earlier version of the rules.
      codes =
          java.util.stream.Stream.concat(java.util.stream.Stream.of(sms.code()), codes.stream())
              .toList();
    }
    return new SmsView(sms.id(), sms.sender(), sms.message(), sms.code(), codes, sms.receivedAt());
  }

  /** A rental with its SMS: {@code POST /rentals}, {@code GET /rentals/:id}, active list. */
  public record RentalView(
      String id,
      long activationId,
      String serviceId,
      String phoneNumber,
      String phoneE164,
      String country,
      String status,
      Money cost,
      long rentedAt,
      long expiresAt,
      boolean rerent,
      @JsonInclude(JsonInclude.Include.NON_NULL) Long cancelledAt,
      @JsonInclude(JsonInclude.Include.NON_NULL) Money refundAmount,
      List<SmsView> smsMessages) {}

  /** A rental in {@code /rentals/history}: its newest SMS and whether it can be re-rented now. */
  public record HistoryEntry(
      String id,
      long activationId,
      String serviceId,
      String phoneNumber,
      String phoneE164,
      String country,
      String status,
      Money cost,
      long rentedAt,
      long expiresAt,
      boolean rerent,
      @JsonInclude(JsonInclude.Include.NON_NULL) Long cancelledAt,
      @JsonInclude(JsonInclude.Include.NON_NULL) Money refundAmount,
      int smsCount,
      String lastCode,
      String lastSmsFullText,
      Long lastSmsReceivedAt,
      boolean rentable,
      String rentableReason) {}

  /** Any list of rentals. */
  public record Page<T>(List<T> rentals, long total, int page, int limit) {}

  /** {@code GET /rentals/:id/code}. */
  public record CodeView(
      String rentalId,
      String status,
      String code,
      String message,
      String sender,
      Long receivedAt,
      long expiresAt,
      Long smsId) {}

  /** {@code POST /rentals/:id/cancel}. */
  public record CancelView(String id, String status, Money refundAmount, long cancelledAt) {}

  /** One row of {@code POST /rentals/rerent/check}. */
  public record CheckRow(String phoneNumber, boolean eligible, String reason, Money cost) {}

  /** {@code POST /rentals/rerent/check}. */
  public record CheckView(
      String serviceId, Money cost, Money balance, int eligibleCount, List<CheckRow> results) {}

  RentalView rental(Rental r, long now, List<SmsMessage> sms) {
    RentalStatus status = Lifecycle.visibleStatus(r.status(), r.expiresAt(), now);
    return new RentalView(
        r.id(),
        r.activationId(),
        r.serviceName(),
        phones.display(r.e164()),
        r.e164(),
        PhoneNumbers.country(r.e164()).orElse(null),
        status.wire(),
        r.cost(),
        r.rentedAt(),
        r.expiresAt(),
        r.rerent(),
        cancelledAt(r),
        r.refundAmount(),
        sms.stream().map(this::sms).toList());
  }

  HistoryEntry history(Rental r, long now, SmsMessage last, EligibilityReason eligibility) {
    RentalStatus status = Lifecycle.visibleStatus(r.status(), r.expiresAt(), now);
    return new HistoryEntry(
        r.id(),
        r.activationId(),
        r.serviceName(),
        phones.display(r.e164()),
        r.e164(),
        PhoneNumbers.country(r.e164()).orElse(null),
        status.wire(),
        r.cost(),
        r.rentedAt(),
        r.expiresAt(),
        r.rerent(),
        cancelledAt(r),
        r.refundAmount(),
        r.smsCount(),
        last == null ? null : last.code(),
        last == null ? null : last.message(),
        last == null ? null : last.receivedAt(),
        eligibility == EligibilityReason.OK,
        eligibility.wire());
  }

  CodeView code(Rental r, long now, SmsMessage last) {
    return code(r.id(), r.status(), r.expiresAt(), now, last);
  }

  CodeView code(String rentalId, RentalStatus stored, long expiresAt, long now, SmsMessage last) {
    RentalStatus status = Lifecycle.visibleStatus(stored, expiresAt, now);
    return new CodeView(
        rentalId,
        status.wire(),
        last == null ? null : last.code(),
        last == null ? null : last.message(),
        last == null ? null : last.sender(),
        last == null ? null : last.receivedAt(),
        expiresAt,
        last == null ? null : last.id());
  }

  CancelView cancelled(Rental r) {
    return new CancelView(r.id(), r.status().wire(), r.refundAmount(), r.endedAt());
  }

  private static Long cancelledAt(Rental r) {
    return r.status() == RentalStatus.CANCELLED ? r.endedAt() : null;
  }
}
