package com.ohmyotp.payments;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.ohmyotp.api.ApiException;
import com.ohmyotp.db.Database;
import com.ohmyotp.ledger.Ledger;
import com.ohmyotp.ledger.Money;
import com.stripe.StripeClient;
import com.stripe.exception.SignatureVerificationException;
import com.stripe.exception.StripeException;
import com.stripe.model.checkout.Session;
import com.stripe.net.RequestOptions;
import com.stripe.net.Webhook;
import com.stripe.param.checkout.SessionCreateParams;
import java.io.IOException;
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
 * Top-up by card through Stripe Checkout. The session is created here, with the amount the customer
 * chose, and the customer pays on Stripe's page; the balance is credited only when Stripe's signed
 * {@code checkout.session.completed} (or {@code async_payment_succeeded}) event says the session is
 * paid, and only once per session: a conditional update of the session's row and the deposit share
 * one transaction, so a replayed or concurrently delivered event credits nothing more.
 *
 * <p>A refund made later in Stripe's dashboard ({@code charge.refunded}) comes off the balance, as
 * much as the balance holds.
 *
 * <p>The event's signature is checked by the library; its few fields are read from the JSON as
 * sent, so that an account whose webhook endpoint is pinned to another API version than the
 * library's still credits.
 */
public final class StripeCheckout implements TopUpMethod {

  /** The least a card top-up may add; below it the card fees would eat the payment. */
  public static final Money MIN_AMOUNT = Money.of("5");

  /** The most one card top-up may add. */
  public static final Money MAX_AMOUNT = Money.of("1000");

  private static final Logger log = LoggerFactory.getLogger(StripeCheckout.class);
  private static final String CURRENCY = "usd";

  /** What became of a signed event. */
  public enum Received {
    /** The session's amount is on the customer's balance now. */
    CREDITED,
    /** The session had been credited before: a replay or a second delivery. */
    ALREADY_CREDITED,
    /** A refund made in Stripe came off the customer's balance (as much as it held). */
    REFUNDED,
    /** A refund counted before: a replay or a second delivery. */
    ALREADY_REFUNDED,
    /** Not an event that moves money here (another type, unpaid, or another shop's payment). */
    IGNORED
  }

  /** A card payment as the customer's return page sees it. */
  public record Payment(Money amount, boolean credited) {}

  private final StripeClient stripe;
  private final String webhookSecret;
  private final String checkoutOrigin;
  private final Database db;
  private final Ledger ledger;
  private final ObjectMapper json;
  private final Clock clock;

  public StripeCheckout(
      StripeSettings settings, Database db, Ledger ledger, ObjectMapper json, Clock clock) {
    this.stripe =
        StripeClient.builder()
            .setApiKey(settings.secretKey())
            .setApiBase(settings.apiBase())
            .setConnectTimeout(5_000)
            .setReadTimeout(20_000)
            .setMaxNetworkRetries(2)
            .build();
    this.webhookSecret = settings.webhookSecret();
    this.checkoutOrigin = settings.checkoutOrigin();
    this.db = db;
    this.ledger = ledger;
    this.json = json;
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

  /**
   * Takes an event Stripe posted to the webhook endpoint.
   *
   * @throws ApiException 400 {@code invalid_signature} when the {@code Stripe-Signature} header
   *     does not sign this body with the endpoint's secret within five minutes (nothing changes)
   */
  public Received receive(String payload, String signatureHeader) {
    try {
      Webhook.constructEvent(
          payload,
          signatureHeader == null ? "" : signatureHeader,
          webhookSecret,
          Webhook.DEFAULT_TOLERANCE,
          clock);
    } catch (SignatureVerificationException e) {
      throw ApiException.badRequest(
          "invalid_signature", "The Stripe-Signature header does not sign this body.");
    } catch (RuntimeException e) {
      throw ApiException.badRequest("invalid_body", "The body is not a Stripe event.");
    }
    JsonNode event;
    try {
      event = json.readTree(payload);
    } catch (IOException e) {
      throw ApiException.badRequest("invalid_body", "The body is not a Stripe event.");
    }
    String type = event.path("type").asText();
    if (type.equals("charge.refunded")) {
      JsonNode charge = event.path("data").path("object");
      return takeBack(
          charge.path("payment_intent").asText(),
          charge.path("amount_refunded").asLong(0),
          charge.path("currency").asText());
    }
    if (!type.equals("checkout.session.completed")
        && !type.equals("checkout.session.async_payment_succeeded")) {
      return Received.IGNORED;
    }
    JsonNode session = event.path("data").path("object");
    if (!session.path("payment_status").asText().equals("paid")) {
      // A delayed method (a bank debit) completes unpaid; async_payment_succeeded follows.
      return Received.IGNORED;
    }
    return credit(
        session.path("id").asText(),
        session.path("amount_total").asLong(-1),
        session.path("currency").asText(),
        session.path("payment_intent").asText(null));
  }

  private Received credit(String sessionId, long paidCents, String currency, String paymentIntent) {
    long now = clock.instant().getEpochSecond();
    return db.inTransaction(
        h -> {
          Optional<Map<String, Object>> row =
              h.createQuery("SELECT account_id, amount FROM card_payments WHERE session_id = :id")
                  .bind("id", sessionId)
                  .mapToMap()
                  .findOne();
          if (row.isEmpty()) {
            return Received.IGNORED;
          }
          long accountId = ((Number) row.get().get("account_id")).longValue();
          Money amount = Money.of((BigDecimal) row.get().get("amount"));
          if (paidCents != amount.amount().movePointRight(2).longValueExact()
              || !currency.equals(CURRENCY)) {
            log.warn(
                "Stripe session {} paid {} {}, not the {} it was created for; not credited",
                sessionId,
                paidCents,
                currency,
                amount.display());
            return Received.IGNORED;
          }
          int taken =
              h.createUpdate(
                      "UPDATE card_payments SET credited_at = :now, payment_intent = :intent"
                          + " WHERE session_id = :id AND credited_at IS NULL")
                  .bind("now", now)
                  .bind("intent", paymentIntent)
                  .bind("id", sessionId)
                  .execute();
          if (taken == 0) {
            return Received.ALREADY_CREDITED;
          }
          ledger.deposit(h, accountId, amount, "card payment (Stripe " + sessionId + ")", now);
          log.info("Card payment {} credited {} to account {}", sessionId, amount, accountId);
          return Received.CREDITED;
        });
  }

  /**
   * Takes a refund made in Stripe's dashboard off the balance. Stripe reports the payment's whole
   * refunded amount each time; the part not counted yet is taken back, as much as the balance holds
   * (it never goes below zero): what the customer had spent already is named in the ledger note and
   * logged for the operator.
   */
  private Received takeBack(String paymentIntent, long refundedCents, String currency) {
    if (paymentIntent.isEmpty() || !currency.equals(CURRENCY)) {
      return Received.IGNORED;
    }
    long now = clock.instant().getEpochSecond();
    return db.inTransaction(
        h -> {
          Optional<Map<String, Object>> row =
              h.createQuery(
                      "SELECT session_id, account_id, amount, refunded FROM card_payments"
                          + " WHERE payment_intent = :intent AND credited_at IS NOT NULL")
                  .bind("intent", paymentIntent)
                  .mapToMap()
                  .findOne();
          if (row.isEmpty()) {
            return Received.IGNORED;
          }
          String sessionId = (String) row.get().get("session_id");
          long accountId = ((Number) row.get().get("account_id")).longValue();
          Money paid = Money.of((BigDecimal) row.get().get("amount"));
          Money counted = Money.of((BigDecimal) row.get().get("refunded"));
          Money refunded = Money.of(BigDecimal.valueOf(refundedCents, 2));
          if (refunded.compareTo(paid) > 0) {
            refunded = paid;
          }
          if (refunded.compareTo(counted) <= 0) {
            return Received.ALREADY_REFUNDED;
          }
          int marked =
              h.createUpdate(
                      "UPDATE card_payments SET refunded = :refunded"
                          + " WHERE session_id = :id AND refunded = :counted")
                  .bind("refunded", refunded.amount())
                  .bind("id", sessionId)
                  .bind("counted", counted.amount())
                  .execute();
          if (marked == 0) {
            return Received.ALREADY_REFUNDED;
          }
          Money due = refunded.minus(counted);
          Money balance = ledger.balance(h, accountId);
          Money shortfall = balance.compareTo(due) < 0 ? due.minus(balance) : Money.ZERO;
          String note =
              "card payment refunded (Stripe "
                  + sessionId
                  + ")"
                  + (shortfall.isPositive() ? ", $" + shortfall.display() + " already spent" : "");
          Money taken = ledger.takeBack(h, accountId, due, note, now);
          if (taken.compareTo(due) < 0) {
            log.warn(
                "Card payment {} refunded {} in Stripe; account {} held only {}: {} not recovered",
                sessionId,
                due.display(),
                accountId,
                taken.display(),
                due.minus(taken).display());
          }
          return Received.REFUNDED;
        });
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
