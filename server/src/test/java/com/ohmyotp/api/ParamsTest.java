package com.ohmyotp.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ParamsTest {

  @Test
  void limitDefaultsTo50AndIsClampedTo200() {
    assertThat(Params.limit(null)).isEqualTo(50);
    assertThat(Params.limit("20")).isEqualTo(20);
    assertThat(Params.limit("201")).isEqualTo(200);
    assertThat(Params.limit("99999999999999999999")).isEqualTo(200);
  }

  @Test
  void pageDefaultsTo1() {
    assertThat(Params.page(null)).isEqualTo(1);
    assertThat(Params.page("500")).isEqualTo(500);
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "-1", "abc", "1.5", "", " 1", "1e3", "0x10", "٣"})
  void rejectsAnythingButAWholeNumberOfAtLeastOne(String raw) {
    assertThatThrownBy(() -> Params.page(raw))
        .isInstanceOf(ApiException.class)
        .satisfies(e -> assertThat(((ApiException) e).status()).isEqualTo(400));
    assertThatThrownBy(() -> Params.limit(raw)).isInstanceOf(ApiException.class);
  }

  @Test
  void hugePagesAreReadAsPagesPastTheEndNotOverflowed() {
    assertThat(Params.page("1000000000")).isEqualTo(1_000_000_000);
    assertThat(Params.page("99999999999")).isEqualTo(Integer.MAX_VALUE);
    assertThat(Params.page("99999999999999999999999")).isEqualTo(Integer.MAX_VALUE);
  }

  @Test
  void pageAndLimitReadASignTheSameWay() {
    assertThat(Params.page("+5")).isEqualTo(5);
    assertThat(Params.limit("+5")).isEqualTo(5);
  }

  @Test
  void cursorsAreRowIdsBeyondAnInt() {
    assertThat(Params.cursor("before", null)).isEmpty();
    assertThat(Params.cursor("before", "12345678901")).contains(12_345_678_901L);
    assertThatThrownBy(() -> Params.cursor("before", "x"))
        .isInstanceOf(ApiException.class)
        .hasMessage("'before' must be a whole number of at least 1.");
  }
}
