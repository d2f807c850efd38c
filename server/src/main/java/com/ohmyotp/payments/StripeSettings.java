package com.ohmyotp.payments;

/**
 * How to reach Stripe: the account's secret API key, the signing secret of the webhook endpoint
 * that sends {@code checkout.session.completed}, and the API's address (Stripe's own unless a test
 * or a proxy stands in). The secrets never appear in {@link #toString()}.
 */
public record StripeSettings(
    String secretKey, String webhookSecret, String apiBase, String checkoutOrigin) {

  /** Stripe's API. */
  public static final String STRIPE_API = "https://api.stripe.com";

  /** Where Stripe's hosted payment pages are, which the Top up form sends the browser to. */
  public static final String STRIPE_CHECKOUT = "https://checkout.stripe.com";

  @Override
  public String toString() {
    return "StripeSettings[apiBase=" + apiBase + ", checkoutOrigin=" + checkoutOrigin + "]";
  }
}
