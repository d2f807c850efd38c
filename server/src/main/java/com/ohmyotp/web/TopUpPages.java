package com.ohmyotp.web;

import com.ohmyotp.api.ApiException;
import com.ohmyotp.api.Origins;
import com.ohmyotp.api.Routes;
import com.ohmyotp.payments.StripeCheckout;
import com.ohmyotp.payments.TopUpMethod;
import com.ohmyotp.payments.TopUpMethod.TopUp;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Adding money on the website: each {@link TopUpMethod} the operator enabled (a card through Stripe
 * Checkout, a prepaid voucher) has its form on one page, posted to {@code /top-up/NAME}.
 */
public final class TopUpPages implements Routes {

  /** Amounts offered with one click on the card form. */
  static final List<String> CARD_AMOUNTS = List.of("10", "25", "50", "100");

  private final Website site;
  private final Map<String, TopUpMethod> methods = new HashMap<>();
  private final Optional<StripeCheckout> cards;

  public TopUpPages(Website site, List<TopUpMethod> methods, Optional<StripeCheckout> cards) {
    this.site = site;
    methods.forEach(m -> this.methods.put(m.name(), m));
    this.cards = cards;
  }

  @Override
  public void register(RoutesConfig routes) {
    routes.get("/top-up", site.signedIn((ctx, v) -> page(ctx, v, 200, site.takeFlash(ctx), "")));
    routes.post("/top-up/{method}", site.signedIn(this::start));
    routes.get("/top-up/card/done", site.signedIn(this::cardDone));
  }

  private void start(Context ctx, Website.Visitor v) {
    TopUpMethod method = methods.get(ctx.pathParam("method"));
    if (method == null) {
      throw ApiException.notFound("not_found", "There is no such way to top up.");
    }
    Map<String, String> form = new HashMap<>();
    ctx.formParamMap().forEach((k, values) -> form.put(k, values.isEmpty() ? null : values.get(0)));
    try {
      switch (method.start(
          v.caller().accountId(), Website.clientAddress(ctx), form, Origins.of(ctx))) {
        case TopUp.Credited credited -> {
          site.flash(
              ctx,
              "$"
                  + credited.amount().display()
                  + " added. Your balance is $"
                  + credited.balance().display()
                  + ".");
          ctx.redirect("/top-up", HttpStatus.SEE_OTHER);
        }
        case TopUp.PayElsewhere elsewhere ->
            ctx.redirect(elsewhere.page().toString(), HttpStatus.SEE_OTHER);
      }
    } catch (ApiException e) {
      e.headers().forEach(ctx::header);
      page(ctx, v, e.status(), "", e.getMessage());
    }
  }

  /** Where Stripe sends the customer back after paying: says whether the money is in yet. */
  private void cardDone(Context ctx, Website.Visitor v) {
    Optional<StripeCheckout.Payment> payment =
        cards.flatMap(c -> c.payment(v.caller().accountId(), ctx.queryParam("session")));
    site.flash(
        ctx,
        payment
            .map(
                p ->
                    p.credited()
                        ? "Card payment received: $" + p.amount().display() + " added."
                        : "Card payment of $"
                            + p.amount().display()
                            + " made; it shows on your balance as soon as Stripe confirms it,"
                            + " usually within a minute.")
            .orElse("That card payment is not one of yours."));
    ctx.redirect("/top-up", HttpStatus.SEE_OTHER);
  }

  private void page(Context ctx, Website.Visitor v, int status, String notice, String error) {
    Map<String, Object> params = new HashMap<>();
    params.put("visitor", v);
    params.put("notice", notice);
    params.put("error", error);
    params.put("cards", cards.isPresent());
    params.put("amounts", CARD_AMOUNTS);
    params.put("min", StripeCheckout.MIN_AMOUNT.display());
    params.put("max", StripeCheckout.MAX_AMOUNT.display());
    site.render(
        ctx, status, "top-up.jte", params, cards.map(StripeCheckout::checkoutOrigin).orElse(""));
  }
}
