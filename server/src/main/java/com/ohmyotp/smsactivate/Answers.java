package com.ohmyotp.smsactivate;

import com.ohmyotp.rentals.Lifecycle;
import com.ohmyotp.rentals.PollState;
import com.ohmyotp.rentals.RentalStatus;
import com.ohmyotp.rentals.Rentals.Release;
import com.ohmyotp.sms.SmsMessage;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;

/**
 * The SMS-Activate protocol's words for where a rental stands and for what a change of status did:
 * plain functions of our lifecycle's values, so that the protocol follows it and never decides
 * anything of its own.
 */
final class Answers {

  static final String WAIT_CODE = "STATUS_WAIT_CODE";
  static final String CANCELLED = "STATUS_CANCEL";
  static final String ACCESS_READY = "ACCESS_READY";
  static final String ACCESS_RETRY_GET = "ACCESS_RETRY_GET";
  static final String ACCESS_ACTIVATION = "ACCESS_ACTIVATION";
  static final String ACCESS_CANCEL = "ACCESS_CANCEL";

  /** The protocol's times: UTC, to the second, as its clients parse them. */
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

  private Answers() {}

  /**
   * {@code getStatus}: waiting while the number is held and no SMS came; the newest code once one
   * came; the last code while another is awaited ({@code setStatus} 3) and the number is held;
   * cancelled when the window closed with nothing more to come.
   */
  static String status(PollState state, long now) {
    boolean held = Lifecycle.holdsNumber(state.status(), state.expiresAt(), now);
    Optional<SmsMessage> latest = state.latest();
    if (latest.isEmpty()) {
      return held ? WAIT_CODE : CANCELLED;
    }
    String code = code(latest.get());
    boolean awaitingAnother =
        state.retryAfterSms() != null && latest.get().id() <= state.retryAfterSms();
    if (!awaitingAnother) {
      return "STATUS_OK:" + code;
    }
    return held ? "STATUS_WAIT_RETRY:" + code : CANCELLED;
  }

  /**
   * What an SMS answers for: its code, or, when none was found in it, its text on one line, so that
   * a client can look for the code itself.
   */
  static String code(SmsMessage sms) {
    if (sms.code() != null) {
      return sms.code();
    }
    return sms.message().replaceAll("[\\r\\n]+", " ").strip();
  }

  /**
   * {@code setStatus} 8 ("cancel") and 6 ("finish"): the activation is cancelled when its money
   * came back (a cancel before any SMS, or an expiry), finished when the customer paid for a code.
   * Asked again of an activation that has ended, each answers as the first time did, so that a
   * client retrying after a lost answer is told the same.
   */
  static String ended(Release release) {
    return switch (release) {
      case Release.Refunded refunded -> ACCESS_CANCEL;
      case Release.Finished finished -> ACCESS_ACTIVATION;
      case Release.NoSmsYet noSms -> Errors.BAD_STATUS;
      case Release.NotHeld notHeld ->
          switch (notHeld.visibleStatus()) {
            case COMPLETED -> ACCESS_ACTIVATION;
            case CANCELLED, EXPIRED -> ACCESS_CANCEL;
            case ACTIVE -> Errors.BAD_STATUS;
          };
    };
  }

  /** {@code setStatus} 6 of an activation that has ended without a code cannot finish it. */
  static String finished(Release release) {
    if (release instanceof Release.NotHeld notHeld
        && notHeld.visibleStatus() != RentalStatus.COMPLETED) {
      return Errors.BAD_STATUS;
    }
    return ended(release);
  }

  /** A time as the protocol writes it: {@code 2026-12-05 14:03:07}, UTC. */
  static String time(long epochSecond) {
    return TIME.format(Instant.ofEpochSecond(epochSecond));
  }

  /** The protocol's error words. */
  static final class Errors {
    static final String BAD_KEY = "BAD_KEY";
    static final String BAD_ACTION = "BAD_ACTION";
    static final String BAD_SERVICE = "BAD_SERVICE";
    static final String BAD_STATUS = "BAD_STATUS";
    static final String NO_ACTIVATION = "NO_ACTIVATION";
    static final String NO_BALANCE = "NO_BALANCE";
    static final String NO_NUMBERS = "NO_NUMBERS";
    static final String WRONG_MAX_PRICE = "WRONG_MAX_PRICE:";

    /**
     * The original service's answer to a failure on its side, which clients know as "try again":
     * given here when the database cannot be reached and when a key is over its rate limit.
     */
    static final String ERROR_SQL = "ERROR_SQL";

    private Errors() {}
  }
}
