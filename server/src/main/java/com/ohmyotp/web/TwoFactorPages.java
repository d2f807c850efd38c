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
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Settings → Account → Two-factor sign-in: turning it on with an authenticator app (a QR code, then
 * a code to prove the app has it), the recovery codes shown once, new ones, and turning it off (the
 * password and a code required).
 */
public final class TwoFactorPages implements Routes {

  private static final String PAGE = "/settings/two-factor";

  private final Website site;
  private final Accounts accounts;
  private final TwoFactor twoFactor;
  private final SignInThrottle throttle;

  public TwoFactorPages(
      Website site, Accounts accounts, TwoFactor twoFactor, SignInThrottle throttle) {
    this.site = site;
    this.accounts = accounts;
    this.twoFactor = twoFactor;
    this.throttle = throttle;
  }

  @Override
  public void register(RoutesConfig routes) {
    routes.get(PAGE, site.signedIn((ctx, v) -> page(ctx, v, 200, site.takeFlash(ctx), "", null)));
    routes.post(PAGE + "/begin", site.signedIn(this::begin));
    routes.post(PAGE + "/enable", site.signedIn(this::enable));
    routes.post(PAGE + "/recovery", site.signedIn(this::replaceRecoveryCodes));
    routes.post(PAGE + "/disable", site.signedIn(this::disable));
  }

  private void begin(Context ctx, Website.Visitor v) {
    try {
      twoFactor.begin(v.account().id(), v.account().email());
      ctx.redirect(PAGE, HttpStatus.SEE_OTHER);
    } catch (ApiException e) {
      page(ctx, v, e.status(), "", e.getMessage(), null);
    }
  }

  private void enable(Context ctx, Website.Visitor v) {
    showRecoveryCodes(
        ctx,
        v,
        "Two-factor sign-in is on. Keep these recovery codes somewhere safe: each signs in once"
            + " without the app, and they are shown only now.",
        () -> twoFactor.enable(v.account().id(), ctx.formParam("code")));
  }

  private void replaceRecoveryCodes(Context ctx, Website.Visitor v) {
    showRecoveryCodes(
        ctx,
        v,
        "New recovery codes; the old ones no longer work. They are shown only now.",
        () -> twoFactor.replaceRecoveryCodes(v.account().id(), ctx.formParam("code")));
  }

  /** Recovery codes are in this answer only, like a new API key: no redirect, nothing stored. */
  private void showRecoveryCodes(
      Context ctx, Website.Visitor v, String notice, Supplier<List<String>> issue) {
    try {
      List<String> codes = issue.get();
      page(ctx, v, 200, notice, "", codes);
    } catch (ApiException e) {
      e.headers().forEach(ctx::header);
      page(ctx, v, e.status(), "", e.getMessage(), null);
    }
  }

  private void disable(Context ctx, Website.Visitor v) {
    try {
      throttle.guard(
          v.account().email(),
          Website.clientAddress(ctx),
          () -> {
            if (accounts.signIn(v.account().email(), ctx.formParam("password")).isEmpty()) {
              throw ApiException.forbidden("wrong_password", "The password is not right.");
            }
          });
      twoFactor.disable(v.account().id(), ctx.formParam("code"));
      site.flash(ctx, "Two-factor sign-in is off: the password alone signs in again.");
      ctx.redirect(PAGE, HttpStatus.SEE_OTHER);
    } catch (ApiException e) {
      e.headers().forEach(ctx::header);
      page(ctx, v, e.status(), "", e.getMessage(), null);
    }
  }

  private void page(
      Context ctx,
      Website.Visitor v,
      int status,
      String notice,
      String error,
      List<String> recoveryCodes) {
    long id = v.account().id();
    boolean on = twoFactor.enabled(id);
    Map<String, Object> params = new HashMap<>();
    params.put("visitor", v);
    params.put("notice", notice);
    params.put("error", error);
    params.put("on", on);
    params.put("left", on ? twoFactor.recoveryCodesLeft(id) : 0);
    params.put("setup", on ? null : twoFactor.pending(id, v.account().email()).orElse(null));
    params.put("codes", recoveryCodes == null ? List.of() : recoveryCodes);
    site.render(ctx, status, "two-factor.jte", params);
  }
}
