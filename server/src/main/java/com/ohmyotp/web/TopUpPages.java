package com.ohmyotp.web;

import com.ohmyotp.api.ApiException;
import com.ohmyotp.api.Routes;
import com.ohmyotp.payments.PaymentRoutes;
import com.ohmyotp.payments.Vouchers;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;

/** Adding money on the website: redeeming a prepaid voucher the operator sold. */
public final class TopUpPages implements Routes {

  private final Website site;
  private final Vouchers vouchers;
  private final PaymentRoutes.RedeemThrottle throttle;

  public TopUpPages(Website site, Vouchers vouchers, PaymentRoutes.RedeemThrottle throttle) {
    this.site = site;
    this.vouchers = vouchers;
    this.throttle = throttle;
  }

  @Override
  public void register(RoutesConfig routes) {
    routes.get("/top-up", site.signedIn((ctx, v) -> page(ctx, v, 200, site.takeFlash(ctx), "")));
    routes.post("/top-up/voucher", site.signedIn(this::redeem));
  }

  private void redeem(Context ctx, Website.Visitor v) {
    try {
      Vouchers.Redeemed redeemed =
          throttle.redeem(
              v.caller().accountId(), Website.clientAddress(ctx), ctx.formParam("code"), vouchers);
      site.flash(
          ctx,
          "Voucher redeemed: $"
              + redeemed.amount().display()
              + " added. Your balance is $"
              + redeemed.balance().display()
              + ".");
      ctx.redirect("/top-up", HttpStatus.SEE_OTHER);
    } catch (ApiException e) {
      page(ctx, v, e.status(), "", e.getMessage());
    }
  }

  private void page(Context ctx, Website.Visitor v, int status, String notice, String error) {
    site.renderOutcome(ctx, v, status, "top-up.jte", notice, error);
  }
}
