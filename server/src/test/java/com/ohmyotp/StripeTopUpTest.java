package com.ohmyotp;

import static com.ohmyotp.support.WebVisitor.form;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.ohmyotp.support.FakeStripe;
import com.ohmyotp.support.Invariants;
import com.ohmyotp.support.TestServer;
import com.ohmyotp.support.WebVisitor;
import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Card top-ups through Stripe Checkout, against a fake Stripe speaking its protocol: the session is
 * created for the amount chosen, the balance moves only on the signed event, once per session, and
 * a bad, old, tampered or replayed event changes nothing.
 */
class StripeTopUpTest {

  static FakeStripe stripe;
  static TestServer server;
  static final ObjectMapper JSON = new ObjectMapper();
  static final Pattern BALANCE = Pattern.compile("id=\"top-up-balance\">([0-9.]+)<");

  @BeforeAll
  static void start() {
    stripe = new FakeStripe(() -> server.clock.epochSecond());
    server = TestServer.start(stripe.settings());
    stripe.deliverTo(server.base + "/api/payments/stripe");
  }

  @AfterAll
  static void stop() {
    server.close();
    stripe.close();
  }

  private static WebVisitor customer() throws Exception {
    WebVisitor v = new WebVisitor(server.base);
    assertThat(v.signUp("card" + System.nanoTime() + "@example.com", "long enough pw").statusCode())
        .isEqualTo(303);
    return v;
  }

  /** Chooses an amount on the Top up page; returns the Checkout session Stripe was asked for. */
  private static FakeStripe.Created startCardTopUp(WebVisitor v, String... fields)
      throws Exception {
    int before = stripe.created().size();
    List<String> all = new ArrayList<>(List.of("_csrf", v.csrf()));
    all.addAll(List.of(fields));
    HttpResponse<String> r = v.post("/top-up/card", form(all.toArray(String[]::new)));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(303);
    FakeStripe.Created session = stripe.created().get(before);
    assertThat(r.headers().firstValue("Location")).contains(stripe.base() + "/pay/" + session.id());
    return session;
  }

  private static BigDecimal balance(WebVisitor v) throws Exception {
    Matcher m = BALANCE.matcher(v.get("/top-up").body());
    assertThat(m.find()).isTrue();
    return new BigDecimal(m.group(1));
  }

  private static String received(HttpResponse<String> r) throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body()).get("received").asText();
  }

  @Test
  void aCardTopUpIsCreditedFromTheSignedEventOnceAndSaysWhereItCameFrom() throws Exception {
    WebVisitor v = customer();
    FakeStripe.Created session = startCardTopUp(v, "amount", "25");
    assertThat(session.authorization()).isEqualTo("Bearer " + FakeStripe.SECRET_KEY);
    assertThat(session.fields())
        .containsEntry("mode", "payment")
        .containsEntry("line_items[0][price_data][unit_amount]", "2500")
        .containsEntry("line_items[0][price_data][currency]", "usd")
        .containsEntry("line_items[0][quantity]", "1")
        .containsEntry("cancel_url", server.base + "/top-up")
        .containsEntry(
            "success_url", server.base + "/top-up/card/done?session={CHECKOUT_SESSION_ID}");
    // Nothing is credited for starting to pay.
    assertThat(balance(v)).isEqualByComparingTo("0");

    assertThat(received(stripe.complete(session.id()))).isEqualTo("credited");
    assertThat(balance(v)).isEqualByComparingTo("25.00");
    // Stripe delivers again (a retry, a replay within its tolerance): nothing more.
    assertThat(received(stripe.complete(session.id()))).isEqualTo("already_credited");
    assertThat(balance(v)).isEqualByComparingTo("25.00");

    // The page Stripe sends the customer back to says so, once, and leaves nothing in the address.
    HttpResponse<String> back = v.get("/top-up/card/done?session=" + session.id());
    assertThat(back.statusCode()).isEqualTo(303);
    assertThat(back.headers().firstValue("Location")).contains("/top-up");
    assertThat(v.get("/top-up").body()).contains("Card payment received: $25.00 added.");
    assertThat(v.get("/top-up").body()).doesNotContain("Card payment received");

    // The API's /balance says where the money came from, as the Transactions page does.
    Matcher key =
        Pattern.compile("id=\"new-key\">(omo_live_[A-Za-z0-9_]+)<")
            .matcher(v.post("/settings/keys", form("_csrf", v.csrf(), "name", "card")).body());
    assertThat(key.find()).isTrue();
    var deposit =
        server.http.get("/api/v1/balance", key.group(1)).json().get("transactions").get(0);
    assertThat(deposit.get("type").asText()).isEqualTo("deposit");
    assertThat(deposit.get("amount").decimalValue()).isEqualByComparingTo("25.00");
    assertThat(deposit.get("note").asText())
        .isEqualTo("card payment (Stripe " + session.id() + ")");

    String transactions = v.get("/transactions").body();
    assertThat(transactions).contains("card payment (Stripe " + session.id() + ")");
    assertThat(transactions).contains("+25.00");
  }

  @Test
  void aTypedAmountWinsOverThePickedOneAndAmountsOutOfRangeAreRefused() throws Exception {
    WebVisitor v = customer();
    FakeStripe.Created typed = startCardTopUp(v, "amount", "25", "other_amount", "12.50");
    assertThat(typed.fields()).containsEntry("line_items[0][price_data][unit_amount]", "1250");

    int before = stripe.created().size();
    for (String amount : List.of("4.99", "1000.01", "12.345", "-5", "ten", "1e3x")) {
      HttpResponse<String> r =
          v.post("/top-up/card", form("_csrf", v.csrf(), "other_amount", amount));
      assertThat(r.statusCode()).as(amount).isEqualTo(400);
      assertThat(r.body())
          .as(amount)
          .contains(
              amount.matches("[-0-9.]+")
                  ? "A card top-up is from $5.00 to $1000.00, in whole cents."
                  : "Enter an amount such as 20 or 12.50.");
    }
    // Without the form's token nothing reaches Stripe either.
    assertThat(v.post("/top-up/card", form("amount", "25")).statusCode()).isEqualTo(403);
    assertThat(stripe.created()).hasSize(before);
  }

  @Test
  void anEventWithABadOldOrMissingSignatureOrATamperedBodyChangesNothing() throws Exception {
    WebVisitor v = customer();
    FakeStripe.Created session = startCardTopUp(v, "amount", "10");
    String event = stripe.completedEvent(session.id());
    long now = server.clock.epochSecond();

    List<HttpResponse<String>> refused =
        List.of(
            stripe.deliver(event, now, "whsec_someone_else"),
            stripe.post(event, null),
            stripe.post(event, "t=" + now + ",v1=00"),
            // Signed properly, but ten minutes ago: a replay of a captured delivery.
            stripe.deliver(event, now - 600, FakeStripe.WEBHOOK_SECRET),
            stripe.post(
                event.replace("\"amount_total\":1000", "\"amount_total\":100000"),
                "t="
                    + now
                    + ",v1="
                    + FakeStripe.sign(FakeStripe.WEBHOOK_SECRET, now + "." + event)));
    for (HttpResponse<String> r : refused) {
      assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
      assertThat(JSON.readTree(r.body()).get("error").asText()).isEqualTo("invalid_signature");
    }
    assertThat(balance(v)).isEqualByComparingTo("0");
    int uncredited =
        server
            .app
            .database()
            .read(
                h ->
                    h.createQuery(
                            "SELECT COUNT(*) FROM card_payments"
                                + " WHERE session_id = :id AND credited_at IS NULL")
                        .bind("id", session.id())
                        .mapTo(Integer.class)
                        .one());
    assertThat(uncredited).isEqualTo(1);
    // The genuine one still credits.
    assertThat(received(stripe.complete(session.id()))).isEqualTo("credited");
    assertThat(balance(v)).isEqualByComparingTo("10.00");
  }

  @Test
  void eightDeliveriesAtOnceCreditOnce() throws Exception {
    WebVisitor v = customer();
    FakeStripe.Created session = startCardTopUp(v, "amount", "50");
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<String>> answers = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        answers.add(pool.submit(() -> received(stripe.complete(session.id()))));
      }
      List<String> outcomes = new ArrayList<>();
      for (Future<String> a : answers) {
        outcomes.add(a.get());
      }
      assertThat(outcomes).containsOnlyOnce("credited");
      assertThat(outcomes).filteredOn("already_credited"::equals).hasSize(7);
    } finally {
      pool.shutdownNow();
    }
    assertThat(balance(v)).isEqualByComparingTo("50.00");
    Invariants.assertHold(server.app.database());
  }

  @Test
  void aRefundInStripeComesOffTheBalanceOnceAndNeverBelowZero() throws Exception {
    String service = server.service("Lyft", "4.00", "gateway");
    server.numbers("gateway", 1);
    WebVisitor v = customer();
    FakeStripe.Created session = startCardTopUp(v, "amount", "10");
    assertThat(received(stripe.complete(session.id()))).isEqualTo("credited");

    // A partial refund, then the same report again: taken once.
    assertThat(received(stripe.refund(session.id(), 300))).isEqualTo("refunded");
    assertThat(balance(v)).isEqualByComparingTo("7.00");
    assertThat(received(stripe.refund(session.id(), 300))).isEqualTo("already_refunded");
    assertThat(balance(v)).isEqualByComparingTo("7.00");

    // The customer spends $4.00; Stripe then refunds the rest ($7.00 more): $3.00 is left to take.
    Matcher key =
        Pattern.compile("id=\"new-key\">(omo_live_[A-Za-z0-9_]+)<")
            .matcher(v.post("/settings/keys", form("_csrf", v.csrf(), "name", "spend")).body());
    assertThat(key.find()).isTrue();
    var rented =
        server.http.post("/api/v1/rentals", key.group(1), "{\"service_id\":\"" + service + "\"}");
    assertThat(rented.status()).as(rented.text()).isEqualTo(201);
    assertThat(balance(v)).isEqualByComparingTo("3.00");
    assertThat(received(stripe.refund(session.id(), 1000))).isEqualTo("refunded");
    assertThat(balance(v)).isEqualByComparingTo("0");
    var rows = server.http.get("/api/v1/balance", key.group(1)).json().get("transactions");
    assertThat(rows.get(0).get("type").asText()).isEqualTo("adjustment");
    assertThat(rows.get(0).get("amount").decimalValue()).isEqualByComparingTo("-3.00");
    assertThat(rows.get(0).get("note").asText())
        .isEqualTo("card payment refunded (Stripe " + session.id() + "), $4.00 already spent");
    assertThat(rows.get(2).get("amount").decimalValue()).isEqualByComparingTo("-3.00");
    assertThat(rows.get(2).get("note").asText())
        .isEqualTo("card payment refunded (Stripe " + session.id() + ")");
    assertThat(received(stripe.refund(session.id(), 1000))).isEqualTo("already_refunded");
    assertThat(balance(v)).isEqualByComparingTo("0");
    Invariants.assertHold(server.app.database());
  }

  @Test
  void eventsThatAddNoMoneyHereAreAcknowledgedAndIgnored() throws Exception {
    WebVisitor v = customer();
    FakeStripe.Created session = startCardTopUp(v, "amount", "10");
    long now = server.clock.epochSecond();
    String event = stripe.completedEvent(session.id());
    List<String> ignored =
        List.of(
            event.replace("checkout.session.completed", "checkout.session.expired"),
            event.replace("\"payment_status\":\"paid\"", "\"payment_status\":\"unpaid\""),
            event.replace(session.id(), "cs_test_of_another_shop"));
    for (String payload : ignored) {
      assertThat(received(stripe.deliver(payload, now, FakeStripe.WEBHOOK_SECRET)))
          .isEqualTo("ignored");
    }
    assertThat(balance(v)).isEqualByComparingTo("0");
    // Another customer's session id on the return page tells nothing about it.
    WebVisitor other = customer();
    other.get("/top-up/card/done?session=" + session.id());
    assertThat(other.get("/top-up").body()).contains("That card payment is not one of yours.");
  }
}
