package com.ohmyotp.payments;

import com.ohmyotp.api.ApiException;
import com.ohmyotp.db.Database;
import com.ohmyotp.ledger.Money;
import com.stripe.StripeClient;
import com.stripe.exception.StripeException;
import com.stripe.model.checkout.Session;
import com.stripe.net.RequestOptions;
import com.stripe.param.checkout.SessionCreateParams;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URI;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Top-up by card through Stripe Checkout: a session is created here for the amount the customer
 * chose and the customer pays on Stripe's page. Nothing is credited for it until Stripe's signed
 * event says it is paid ({@link StripeEvents}).
 */
public final class StripeCheckout implements TopUpMethod {

  /** The least a card top-up may add; below it the card fees would eat the payment. */
  public static final Money MIN_AMOUNT = Money.of("5");

  /** The most one card top-up may add. */
  public static final Money MAX_AMOUNT = Money.of("1000");

  private static final Logger log = LoggerFactory.getLogger(StripeCheckout.class);

  /** The currency of every card top-up: balances are in dollars. */
  static final String CURRENCY = "usd";

  /** A card payment as the customer's return page sees it. */
  public record Payment(Money amount, boolean credited) {}

  private final StripeClient stripe;
  private final String checkoutOrigin;
  private final Database db;
  private final Clock clock;

  public StripeCheckout(StripeSettings settings, Database db, Clock clock) {
    this.stripe =
        StripeClient.builder()
            .setApiKey(settings.secretKey())
            .setApiBase(settings.apiBase())
            .setConnectTimeout(5_000)
            .setReadTimeout(20_000)
            .setMaxNetworkRetries(2)
            .build();
    this.checkoutOrigin = settings.checkoutOrigin();
    this.db = db;
    this.clock = clock;
  }

  @Override
  public String name() {
    return "card";
  }

  /**
   * Creates a Checkout session for the amount the form chose ({@code other_amount} typed, else the
   * {@code amount} picked) and sends the customer to Stripe's page.
   *
   * @throws ApiException 400 {@code invalid_amount} for an amount out of range or with fractions of
   *     a cent, 502 {@code payment_provider_unavailable} when Stripe does not answer
   */
  @Override
  public TopUp start(
      long accountId, String clientAddress, Map<String, String> form, String origin) {
    String other = form.get("other_amount");
    Money amount = amount(other == null || other.isBlank() ? form.get("amount") : other);
    long cents = amount.amount().movePointRight(2).longValueExact();
    SessionCreateParams params =
        SessionCreateParams.builder()
            .setMode(SessionCreateParams.Mode.PAYMENT)
            .setClientReferenceId(Long.toString(accountId))
            .putMetadata("account_id", Long.toString(accountId))
            .setSuccessUrl(origin + "/top-up/card/done?session={CHECKOUT_SESSION_ID}")
            .setCancelUrl(origin + "/top-up")
            .addLineItem(
                SessionCreateParams.LineItem.builder()
                    .setQuantity(1L)
                    .setPriceData(
                        SessionCreateParams.LineItem.PriceData.builder()
                            .setCurrency(CURRENCY)
                            .setUnitAmount(cents)
                            .setProductData(
                                SessionCreateParams.LineItem.PriceData.ProductData.builder()
                                    .setName("ohmyotp balance")
                                    .build())
                            .build())
                    .build())
            .build();
    Session session;
    try {
      // One key per attempt: the library's own retries of this request create one session.
      session =
          stripe
              .v1()
              .checkout()
              .sessions()
              .create(
                  params,
                  RequestOptions.builder().setIdempotencyKey(UUID.randomUUID().toString()).build());
    } catch (StripeException e) {
      log.warn("Stripe refused or did not answer a Checkout session: {}", e.getMessage());
      throw new ApiException(
          502,
          "payment_provider_unavailable",
          "Card payments are not available right now; try again in a minute, or use a voucher.");
    }
    long now = clock.instant().getEpochSecond();
    db.inTransaction(
        h ->
            h.createUpdate(
                    "INSERT INTO card_payments (session_id, account_id, amount, created_at)"
                        + " VALUES (:session, :account, :amount, :now)")
                .bind("session", session.getId())
                .bind("account", accountId)
                .bind("amount", amount.amount())
                .bind("now", now)
                .execute());
    return new TopUp.PayElsewhere(URI.create(session.getUrl()));
  }

  /** The origin of Stripe's payment pages, where the Top up form sends the browser. */
  public String checkoutOrigin() {
    return checkoutOrigin;
  }

  /** The customer's own card payment by its session id, for the page Stripe sends them back to. */
  public Optional<Payment> payment(long accountId, String sessionId) {
    return db.read(
        h ->
            h.createQuery(
                    "SELECT amount, credited_at FROM card_payments"
                        + " WHERE session_id = :id AND account_id = :account")
                .bind("id", sessionId == null ? "" : sessionId)
                .bind("account", accountId)
                .map(
                    (rs, c) ->
                        new Payment(
                            Money.of(rs.getBigDecimal("amount")),
                            rs.getObject("credited_at") != null))
                .findOne());
  }

  static Money amount(String raw) {
    BigDecimal value;
    try {
      value = new BigDecimal(raw == null ? "" : raw.strip().replace("$", "").replace(',', '.'));
    } catch (NumberFormatException e) {
      throw ApiException.badRequest("invalid_amount", "Enter an amount such as 20 or 12.50.");
    }
    boolean wholeCents = value.stripTrailingZeros().scale() <= 2;
    Money amount = wholeCents ? Money.of(value.setScale(2, RoundingMode.UNNECESSARY)) : null;
    if (!wholeCents || amount.compareTo(MIN_AMOUNT) < 0 || amount.compareTo(MAX_AMOUNT) > 0) {
      throw ApiException.badRequest(
          "invalid_amount",
          "A card top-up is from $"
              + MIN_AMOUNT.display()
              + " to $"
              + MAX_AMOUNT.display()
              + ", in whole cents.");
    }
    return amount;
  }
}
