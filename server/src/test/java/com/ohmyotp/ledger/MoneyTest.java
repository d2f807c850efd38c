package com.ohmyotp.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MoneyTest {

  @Test
  void showsTheShortestExactDecimal() {
    assertThat(Money.of("0.4000").plain()).isEqualTo("0.4");
    assertThat(Money.of("9997.60").plain()).isEqualTo("9997.6");
    assertThat(Money.of("100").plain()).isEqualTo("100");
    assertThat(Money.of("0.0000").plain()).isEqualTo("0");
    assertThat(Money.of("-0.4").plain()).isEqualTo("-0.4");
  }

  @Test
  void arithmeticIsExact() {
    Money sum = Money.ZERO;
    for (int i = 0; i < 10; i++) {
      sum = sum.plus(Money.of("0.1"));
    }
    assertThat(sum).isEqualTo(Money.of("1"));
    assertThat(Money.of("100").minus(Money.of("0.4")).plain()).isEqualTo("99.6");
  }

  @Test
  void refusesMoreThanFourDecimalPlaces() {
    assertThatThrownBy(() -> Money.of("0.00001")).isInstanceOf(IllegalArgumentException.class);
    assertThat(Money.of("0.10000").plain()).isEqualTo("0.1");
  }

  @Test
  void displayShowsCentsAndNeverRoundsAwayAFraction() {
    assertThat(Money.of("4.6").display()).isEqualTo("4.60");
    assertThat(Money.of("0").display()).isEqualTo("0.00");
    assertThat(Money.of("0.1234").display()).isEqualTo("0.1234");
    assertThat(Money.of("-12").display()).isEqualTo("-12.00");
  }
}
