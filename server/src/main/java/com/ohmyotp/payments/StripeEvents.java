package com.ohmyotp.payments;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.ohmyotp.api.ApiException;
import com.ohmyotp.db.Database;
import com.ohmyotp.ledger.Ledger;
import com.ohmyotp.ledger.Money;
import com.stripe.exception.SignatureVerificationException;
import com.stripe.net.Webhook;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The events Stripe posts about card top-ups ({@value PaymentRoutes#STRIPE_WEBHOOK}): a Checkout
 * session paid ({@code checkout.session.completed}, or {@code async_payment_succeeded} for a
 * delayed method) credits the balance, a refund made later in Stripe's dashboard ({@code
 * charge.refunded}) takes it back, as much as the balance holds.
 *
 * <p>Each is counted once: the session's row is changed by a conditional update in the same
 * transaction as the ledger row, so a retried, replayed or concurrently delivered event moves no
 * more money, on any node. The signature is checked by the library; the event's few fields are read
 * from the JSON as sent, so that an account whose webhook endpoint is pinned to another API version
 * than the library's still works.
 */
public final class StripeEvents {

  private static final Logger log = LoggerFactory.getLogger(StripeEvents.class);

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

  private final String webhookSecret;
  private final Database db;
  private final Ledger ledger;
  private final ObjectMapper json;
  private final Clock clock;

  public StripeEvents(
      StripeSettings settings, Database db, Ledger ledger, ObjectMapper json, Clock clock) {
    this.webhookSecret = settings.webhookSecret();
    this.db = db;
    this.ledger = ledger;
    this.json = json;
    this.clock = clock;
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
              || !currency.equals(StripeCheckout.CURRENCY)) {
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
    if (paymentIntent.isEmpty() || !currency.equals(StripeCheckout.CURRENCY)) {
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
}
