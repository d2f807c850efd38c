package com.ohmyotp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The settings of card top-ups and of mail: what goes together, and what a start refuses. */
class PaymentAndMailSettingsTest {

  static Config config(String... pairs) {
    Map<String, String> settings = new HashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      settings.put(pairs[i], pairs[i + 1]);
    }
    return Config.from(settings);
  }

  @Test
  void stripeNeedsBothSecretsAndDefaultsToStripesOwnAddresses() {
    assertThat(config().stripe()).isEmpty();
    assertThatThrownBy(() -> config("OHMYOTP_STRIPE_SECRET_KEY", "sk_test_1"))
        .isInstanceOf(Config.ConfigException.class)
        .hasMessageContaining("OHMYOTP_STRIPE_WEBHOOK_SECRET");
    var stripe =
        config("OHMYOTP_STRIPE_SECRET_KEY", "sk_test_1", "OHMYOTP_STRIPE_WEBHOOK_SECRET", "whsec_2")
            .stripe()
            .orElseThrow();
    assertThat(stripe.apiBase()).isEqualTo("https://api.stripe.com");
    assertThat(stripe.checkoutOrigin()).isEqualTo("https://checkout.stripe.com");
    assertThat(stripe.toString()).doesNotContain("sk_test_1").doesNotContain("whsec_2");
  }

  @Test
  void mailNeedsASenderAndThePublicAddressLinksPointTo() {
    assertThat(config().mail()).isEmpty();
    assertThatThrownBy(() -> config("OHMYOTP_SMTP_HOST", "smtp.example.com"))
        .hasMessageContaining("OHMYOTP_MAIL_FROM");
    assertThatThrownBy(
            () ->
                config(
                    "OHMYOTP_SMTP_HOST", "smtp.example.com", "OHMYOTP_MAIL_FROM", "a@example.com"))
        .hasMessageContaining("OHMYOTP_PUBLIC_URL");
    assertThatThrownBy(
            () ->
                config(
                    "OHMYOTP_SMTP_HOST", "smtp.example.com",
                    "OHMYOTP_MAIL_FROM", "a@example.com",
                    "OHMYOTP_PUBLIC_URL", "otp.example.com/x"))
        .hasMessageContaining("http(s)://host[:port]");
    assertThatThrownBy(
            () ->
                config(
                    "OHMYOTP_SMTP_HOST", "smtp.example.com",
                    "OHMYOTP_MAIL_FROM", "a@example.com",
                    "OHMYOTP_PUBLIC_URL", "https://otp.example.com",
                    "OHMYOTP_SMTP_SECURITY", "ssl"))
        .hasMessageContaining("starttls, tls or none");
    var mail =
        config(
                "OHMYOTP_SMTP_HOST", "smtp.example.com",
                "OHMYOTP_MAIL_FROM", "a@example.com",
                "OHMYOTP_PUBLIC_URL", "https://otp.example.com/",
                "OHMYOTP_SMTP_PASSWORD", "hunter2")
            .mail()
            .orElseThrow();
    assertThat(mail.port()).isEqualTo(587);
    assertThat(mail.security()).isEqualTo("starttls");
    assertThat(mail.publicUrl()).isEqualTo("https://otp.example.com");
    assertThat(mail.toString()).doesNotContain("hunter2");
  }
}
