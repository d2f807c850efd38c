package com.ohmyotp.smsactivate;

import static org.assertj.core.api.Assertions.assertThat;

import com.ohmyotp.ledger.Money;
import com.ohmyotp.rentals.PollState;
import com.ohmyotp.rentals.RentalStatus;
import com.ohmyotp.rentals.Rentals.Release;
import com.ohmyotp.sms.SmsMessage;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The protocol's words for our lifecycle, without a database. */
class AnswersTest {

  private static final long NOW = 1_000;
  private static final SmsMessage FIRST =
      new SmsMessage(11, "r", "Uber", "Your Uber code is 4821", "4821", 900);
  private static final SmsMessage SECOND =
      new SmsMessage(12, "r", "Uber", "Your Uber code is 7310", "7310", 950);

  private static PollState state(
      RentalStatus status, long expiresAt, SmsMessage latest, Long retryAfter) {
    return new PollState("r", 1, status, expiresAt, Optional.ofNullable(latest), retryAfter);
  }

  @Test
  void statusFollowsTheRentalAndTheCustomersWishForAnotherCode() {
    assertThat(Answers.status(state(RentalStatus.ACTIVE, NOW + 1, null, null), NOW))
        .isEqualTo("STATUS_WAIT_CODE");
    // Past its window an active rental is expired (and refunded): cancelled, for the protocol.
    assertThat(Answers.status(state(RentalStatus.ACTIVE, NOW, null, null), NOW))
        .isEqualTo("STATUS_CANCEL");
    assertThat(Answers.status(state(RentalStatus.EXPIRED, NOW - 5, null, null), NOW))
        .isEqualTo("STATUS_CANCEL");
    assertThat(Answers.status(state(RentalStatus.CANCELLED, NOW + 9, null, null), NOW))
        .isEqualTo("STATUS_CANCEL");
    assertThat(Answers.status(state(RentalStatus.COMPLETED, NOW + 9, FIRST, null), NOW))
        .isEqualTo("STATUS_OK:4821");
    assertThat(Answers.status(state(RentalStatus.COMPLETED, NOW + 9, FIRST, 11L), NOW))
        .isEqualTo("STATUS_WAIT_RETRY:4821");
    assertThat(Answers.status(state(RentalStatus.COMPLETED, NOW + 9, SECOND, 11L), NOW))
        .isEqualTo("STATUS_OK:7310");
    // The window closed while another code was awaited: nothing more will come.
    assertThat(Answers.status(state(RentalStatus.COMPLETED, NOW, FIRST, 11L), NOW))
        .isEqualTo("STATUS_CANCEL");
    // A code stays the answer once the number is let go, and after a cancel that came too late.
    assertThat(Answers.status(state(RentalStatus.COMPLETED, NOW - 1, SECOND, null), NOW))
        .isEqualTo("STATUS_OK:7310");
    assertThat(Answers.status(state(RentalStatus.CANCELLED, NOW + 9, FIRST, null), NOW))
        .isEqualTo("STATUS_OK:4821");
  }

  @Test
  void anSmsWithoutACodeAnswersWithItsTextOnOneLine() {
    SmsMessage noCode = new SmsMessage(13, "r", "Bank", "Tap the link\r\nto sign in", null, 960);
    assertThat(Answers.code(noCode)).isEqualTo("Tap the link to sign in");
  }

  @Test
  void endingAnswersCancelWhenTheMoneyCameBackAndActivationWhenACodeWasPaidFor() {
    assertThat(Answers.ended(new Release.Refunded(Money.of("0.40")))).isEqualTo("ACCESS_CANCEL");
    assertThat(Answers.ended(new Release.Finished())).isEqualTo("ACCESS_ACTIVATION");
    assertThat(Answers.ended(new Release.NotHeld(RentalStatus.CANCELLED)))
        .isEqualTo("ACCESS_CANCEL");
    assertThat(Answers.ended(new Release.NotHeld(RentalStatus.EXPIRED))).isEqualTo("ACCESS_CANCEL");
    assertThat(Answers.ended(new Release.NotHeld(RentalStatus.COMPLETED)))
        .isEqualTo("ACCESS_ACTIVATION");
    assertThat(Answers.finished(new Release.NoSmsYet())).isEqualTo("BAD_STATUS");
    assertThat(Answers.finished(new Release.NotHeld(RentalStatus.CANCELLED)))
        .isEqualTo("BAD_STATUS");
    assertThat(Answers.finished(new Release.NotHeld(RentalStatus.COMPLETED)))
        .isEqualTo("ACCESS_ACTIVATION");
  }

  @Test
  void timesAreUtcToTheSecond() {
    assertThat(Answers.time(1_778_846_400L)).isEqualTo("2026-05-15 12:00:00");
  }

  @Test
  void countryIdsReadAsTheProtocolNumbersThem() {
    assertThat(Countries.byId(187).orElseThrow().iso()).isEqualTo("US");
    assertThat(Countries.byId(12).orElseThrow().iso()).isEqualTo("US");
    assertThat(Countries.byId(0).orElseThrow().iso()).isEqualTo("RU");
    assertThat(Countries.byId(16).orElseThrow().iso()).isEqualTo("GB");
    assertThat(Countries.byIso("US").orElseThrow().id()).isEqualTo(187);
    assertThat(Countries.byId(18)).isEmpty();
    assertThat(Countries.all().stream().map(Countries.Country::id).distinct())
        .hasSize(Countries.all().size());
  }
}
