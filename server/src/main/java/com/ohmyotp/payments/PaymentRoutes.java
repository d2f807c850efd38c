package com.ohmyotp.payments;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.ohmyotp.api.ApiAuth;
import com.ohmyotp.api.ApiException;
import com.ohmyotp.api.FailureBudget;
import com.ohmyotp.api.Json;
import com.ohmyotp.api.Routes;
import com.ohmyotp.ledger.Money;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Money in: the operator issues vouchers ({@code POST /api/admin/vouchers}), a customer redeems one
 * ({@code POST /api/v1/balance/redeem}), and Stripe reports paid card top-ups ({@value
 * #STRIPE_WEBHOOK}, signed). Guessing codes is throttled per account and per client address; only
 * codes never issued count against either.
 */
public final class PaymentRoutes implements Routes {

  record Issue(Money amount, Integer count) {}

  record Issued(Money amount, List<String> codes) {}

  record Redeem(String code) {}

  record RedeemedView(Money amount, Money balance) {}

  /** Where Stripe posts its events (outside {@code /api/v1}: it is Stripe's, not customers'). */
  public static final String STRIPE_WEBHOOK = "/api/payments/stripe";

  private final Vouchers vouchers;
  private final RedeemThrottle throttle;
  private final Optional<StripeEvents> stripe;
  private final ApiAuth auth;
  private final ObjectMapper json;

  public PaymentRoutes(
      Vouchers vouchers,
      RedeemThrottle throttle,
      Optional<StripeEvents> stripe,
      ApiAuth auth,
      ObjectMapper json) {
    this.vouchers = vouchers;
    this.throttle = throttle;
    this.stripe = stripe;
    this.auth = auth;
    this.json = json;
  }

  @Override
  public void register(RoutesConfig routes) {
    routes.post("/api/admin/vouchers", auth.admin(this::issue));
    routes.post(
        "/api/v1/balance/redeem",
        auth.customer(
            (ctx, caller) -> {
              Redeem body = Json.read(json, ctx, Redeem.class);
              Vouchers.Redeemed redeemed =
                  throttle.redeem(
                      caller.accountId(), ctx.req().getRemoteAddr(), body.code(), vouchers);
              ctx.json(new RedeemedView(redeemed.amount(), redeemed.balance()));
            }));
    stripe.ifPresent(
        checkout ->
            routes.post(
                STRIPE_WEBHOOK,
                ctx -> {
                  StripeEvents.Received received =
                      checkout.receive(ctx.body(), ctx.header("Stripe-Signature"));
                  ctx.json(Map.of("received", received.name().toLowerCase(Locale.ROOT)));
                }));
  }

  private void issue(Context ctx) {
    Issue body = Json.read(json, ctx, Issue.class);
    if (body.amount() == null) {
      throw ApiException.badRequest("missing_field", "Field 'amount' is required.");
    }
    int count = body.count() == null ? 1 : body.count();
    ctx.status(201).json(new Issued(body.amount(), vouchers.issue(body.amount(), count)));
  }

  /**
   * The budget of wrong codes: ten an account, then one a minute; thirty an address, then one every
   * twenty seconds. Shared by the API and the website.
   */
  public static final class RedeemThrottle {
    private final FailureBudget byAccount = new FailureBudget(10, Duration.ofMinutes(1));
    private final FailureBudget byAddress = new FailureBudget(30, Duration.ofSeconds(20));

    /**
     * Redeems a code unless the account or the address has no wrong guesses left.
     *
     * @throws ApiException 429 {@code rate_limited} when out of guesses, as well as {@link
     *     Vouchers#redeem}'s refusals
     */
    public Vouchers.Redeemed redeem(
        long accountId, String address, String code, Vouchers vouchers) {
      String account = Long.toString(accountId);
      Optional<Duration> wait = byAccount.waitFor(account);
      if (wait.isEmpty()) {
        wait = byAddress.waitFor(address);
      }
      if (wait.isPresent()) {
        throw ApiException.tooManyRequests(
            "Too many wrong voucher codes; try again in "
                + Math.max(1, wait.get().toSeconds())
                + " s.",
            wait.get());
      }
      try {
        return vouchers.redeem(accountId, code);
      } catch (ApiException e) {
        if (e.error().equals("voucher_not_found")) {
          byAccount.failed(account);
          byAddress.failed(address);
        }
        throw e;
      }
    }
  }
}
