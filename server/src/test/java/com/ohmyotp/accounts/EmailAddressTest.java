package com.ohmyotp.accounts;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EmailAddressTest {

  @Test
  void oneAddressHoweverItIsTyped() {
    assertThat(EmailAddress.key("  Alice@Example.COM. ")).isEqualTo("alice@example.com");
    assertThat(EmailAddress.key("ali\u200Bce@exam\u00ADple.com")).isEqualTo("alice@example.com");
    assertThat(EmailAddress.key("\uFF41lice@example.com")).isEqualTo("alice@example.com");
    assertThat(EmailAddress.key("STRASSE@example.com")).isEqualTo("strasse@example.com");
    assertThat(EmailAddress.key("stra\u00DFe@example.com")).isEqualTo("strasse@example.com");
  }

  @Test
  void addressesThatLookAlikeShareASkeleton() {
    String alice = EmailAddress.skeleton(EmailAddress.key("alice@example.com"));
    // A Cyrillic "а" for the Latin "a", and "rn" for "m".
    assertThat(EmailAddress.skeleton(EmailAddress.key("\u0430lice@example.com"))).isEqualTo(alice);
    assertThat(EmailAddress.skeleton(EmailAddress.key("rnary@example.com")))
        .isEqualTo(EmailAddress.skeleton(EmailAddress.key("mary@example.com")));
    assertThat(EmailAddress.skeleton(EmailAddress.key("alicia@example.com"))).isNotEqualTo(alice);
  }

  @Test
  void theShapeOfAnAddress() {
    assertThat(EmailAddress.isWellFormed("a@b")).isTrue();
    assertThat(EmailAddress.isWellFormed("no-at-sign")).isFalse();
    assertThat(EmailAddress.isWellFormed("two@@example.com")).isFalse();
    assertThat(EmailAddress.isWellFormed(null)).isFalse();
  }
}
