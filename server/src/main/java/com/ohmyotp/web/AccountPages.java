package com.ohmyotp.web;

import com.ohmyotp.accounts.Accounts;
import com.ohmyotp.accounts.SignInThrottle;
import com.ohmyotp.accounts.TwoFactor;
import com.ohmyotp.api.ApiException;
import com.ohmyotp.api.Routes;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.util.HashMap;
import java.util.Map;

/** Settings → Account: the sign-in email, changing the password, two-factor sign-in's state. */
public final class AccountPages implements Routes {

  private final Website site;
  private final Accounts accounts;
  private final TwoFactor twoFactor;
  private final SignInThrottle throttle;

  public AccountPages(
      Website site, Accounts accounts, TwoFactor twoFactor, SignInThrottle throttle) {
    this.site = site;
    this.accounts = accounts;
    this.twoFactor = twoFactor;
    this.throttle = throttle;
  }

  @Override
  public void register(RoutesConfig routes) {
    routes.get(
        "/settings/account", site.signedIn((ctx, v) -> page(ctx, v, 200, site.takeFlash(ctx), "")));
    routes.post("/settings/password", site.signedIn(this::changePassword));
  }

  private void changePassword(Context ctx, Website.Visitor v) {
    try {
      throttle.guard(
          v.account().email(),
          Website.clientAddress(ctx),
          () ->
              accounts.changePassword(
                  v.account().id(),
                  ctx.formParam("current"),
                  ctx.formParam("password"),
                  ctx.formParam("password_again"),
                  Website.session(ctx).orElse(null)));
      site.flash(ctx, "Password changed. Every other session of this account is signed out.");
      ctx.redirect("/settings/account", HttpStatus.SEE_OTHER);
    } catch (ApiException e) {
      e.headers().forEach(ctx::header);
      page(ctx, v, e.status(), "", e.getMessage());
    }
  }

  private void page(Context ctx, Website.Visitor v, int status, String notice, String error) {
    Map<String, Object> params = new HashMap<>();
    params.put("visitor", v);
    params.put("notice", notice);
    params.put("error", error);
    params.put("twoFactorOn", twoFactor.enabled(v.account().id()));
    site.render(ctx, status, "account.jte", params);
  }
}
