package com.ohmyotp.rentals;

import static org.assertj.core.api.Assertions.assertThat;

import com.ohmyotp.rentals.RentalCounts.Tally;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RentalCountsTest {

  @Test
  void aCancellationIsCountedApartWhenAnSmsHadArrived() {
    assertThat(Tally.of(RentalStatus.CANCELLED, 0)).isEqualTo(Tally.CANCELLED);
    assertThat(Tally.of(RentalStatus.CANCELLED, 2)).isEqualTo(Tally.CANCELLED_USED);
    assertThat(Tally.of(RentalStatus.ACTIVE, 0)).isEqualTo(Tally.ACTIVE);
    assertThat(Tally.of(RentalStatus.COMPLETED, 1)).isEqualTo(Tally.COMPLETED);
    assertThat(Tally.of(RentalStatus.EXPIRED, 0)).isEqualTo(Tally.EXPIRED);
  }

  @Test
  void eachHistoryFilterSumsTheCountersItMatches() {
    assertThat(Tally.matching(Optional.empty(), false)).containsExactlyInAnyOrder(Tally.values());
    assertThat(Tally.matching(Optional.empty(), true))
        .containsExactlyInAnyOrder(Tally.COMPLETED, Tally.CANCELLED_USED);
    assertThat(Tally.matching(Optional.of(RentalStatus.CANCELLED), false))
        .containsExactlyInAnyOrder(Tally.CANCELLED, Tally.CANCELLED_USED);
    assertThat(Tally.matching(Optional.of(RentalStatus.CANCELLED), true))
        .containsExactly(Tally.CANCELLED_USED);
    assertThat(Tally.matching(Optional.of(RentalStatus.COMPLETED), true))
        .containsExactly(Tally.COMPLETED);
    assertThat(Tally.matching(Optional.of(RentalStatus.ACTIVE), true)).isEmpty();
    assertThat(Tally.matching(Optional.of(RentalStatus.EXPIRED), false))
        .containsExactly(Tally.EXPIRED);
  }
}
