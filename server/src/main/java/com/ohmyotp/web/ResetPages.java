package com.ohmyotp.web;

import com.ohmyotp.accounts.PasswordResets;
import com.ohmyotp.api.ApiException;
import com.ohmyotp.api.Routes;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.util.HashMap;
import java.util.Map;

/**
 * "Forgot your password?": asking for a link by mail, and choosing a new password with it. Both
 * forms are for visitors who are not signed in, so they carry the pre-sign-in CSRF token.
 */
public final class ResetPages implements Routes {

  static final String SENT =
      "If an account uses that address, a link to choose a new password is on its way to it."
          + " The link works once, for 30 minutes.";

  private final Website site;
  private final PasswordResets resets;

  public ResetPages(Website site, PasswordResets resets) {
    this.site = site;
    this.resets = resets;
  }

  @Override
  public void register(RoutesConfig routes) {
    routes.get("/forgot-password", ctx -> forgotForm(ctx, 200, site.takeFlash(ctx), ""));
    routes.post("/forgot-password", this::ask);
    routes.get("/reset-password", ctx -> resetForm(ctx, 200, ctx.queryParam("token"), ""));
    routes.post("/reset-password", this::reset);
  }

  private void ask(Context ctx) {
    site.requireCsrf(ctx);
    try {
      resets.request(ctx.formParam("email"), Website.clientAddress(ctx));
      site.flash(ctx, SENT);
      ctx.redirect("/forgot-password", HttpStatus.SEE_OTHER);
    } catch (ApiException e) {
      e.headers().forEach(ctx::header);
      forgotForm(ctx, e.status(), "", e.getMessage());
    }
  }

  private void reset(Context ctx) {
    site.requireCsrf(ctx);
    String token = ctx.formParam("token");
    try {
      resets.reset(
          token,
          ctx.formParam("password"),
          ctx.formParam("password_again"),
          Website.clientAddress(ctx));
      site.flash(ctx, "Your password is changed. Sign in with the new one.");
      ctx.redirect("/login", HttpStatus.SEE_OTHER);
    } catch (ApiException e) {
      e.headers().forEach(ctx::header);
      resetForm(ctx, e.status(), token, e.getMessage());
    }
  }

  private void forgotForm(Context ctx, int status, String notice, String error) {
    Map<String, Object> params = new HashMap<>();
    params.put("available", resets.available());
    params.put("notice", notice);
    params.put("error", error);
    site.render(ctx, status, "forgot.jte", params);
  }

  private void resetForm(Context ctx, int status, String token, String error) {
    Map<String, Object> params = new HashMap<>();
    params.put("token", token == null ? "" : token);
    params.put("error", error);
    site.render(ctx, status, "reset.jte", params);
  }
}
