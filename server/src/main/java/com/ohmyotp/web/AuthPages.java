package com.ohmyotp.web;

import com.ohmyotp.accounts.Account;
import com.ohmyotp.accounts.Accounts;
import com.ohmyotp.accounts.SignInThrottle;
import com.ohmyotp.accounts.TwoFactor;
import com.ohmyotp.api.ApiException;
import com.ohmyotp.api.Routes;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** Signing up, signing in and signing out of the website. */
public final class AuthPages implements Routes {

  private final Website site;
  private final Accounts accounts;
  private final SignInThrottle throttle;
  private final TwoFactor twoFactor;

  public AuthPages(Website site, Accounts accounts, SignInThrottle throttle, TwoFactor twoFactor) {
    this.site = site;
    this.accounts = accounts;
    this.throttle = throttle;
    this.twoFactor = twoFactor;
  }

  @Override
  public void register(RoutesConfig routes) {
    routes.get("/", ctx -> ctx.redirect("/dashboard", HttpStatus.SEE_OTHER));
    routes.get(
        "/login",
        ctx -> {
          Map<String, Object> params = new HashMap<>();
          params.put("email", "");
          params.put("error", "");
          params.put("notice", site.takeFlash(ctx));
          site.render(ctx, 200, "login.jte", params);
        });
    routes.post("/login", this::signIn);
    routes.get(
        "/login/code",
        ctx -> {
          if (twoFactor.pendingAccount(site.heldSignIn(ctx)).isEmpty()) {
            ctx.redirect("/login", HttpStatus.SEE_OTHER);
          } else {
            site.render(ctx, 200, "login-code.jte", Map.of("error", ""));
          }
        });
    routes.post("/login/code", this::secondFactor);
    routes.get("/signup", ctx -> form(ctx, 200, "signup.jte", "", null));
    routes.post("/signup", this::signUp);
    routes.post(
        "/logout",
        ctx -> {
          site.requireCsrf(ctx);
          site.endSession(ctx);
          ctx.redirect("/login", HttpStatus.SEE_OTHER);
        });
  }

  private void signIn(Context ctx) {
    site.requireCsrf(ctx);
    String email = ctx.formParam("email");
    String address = Website.clientAddress(ctx);
    Optional<Duration> wait = throttle.waitBeforeSignIn(email, address);
    if (wait.isPresent()) {
      long seconds = Math.max(1, wait.get().toSeconds());
      ctx.header("Retry-After", String.valueOf(seconds));
      form(
          ctx, 429, "login.jte", email, "Too many attempts. Try again in " + seconds + " seconds.");
      return;
    }
    Optional<Account> account = accounts.signIn(email, ctx.formParam("password"));
    if (account.isEmpty()) {
      throttle.failed(email, address);
      form(ctx, 401, "login.jte", email, "That email and password do not match an account.");
      return;
    }
    if (twoFactor.enabled(account.get().id())) {
      site.holdSignIn(ctx, twoFactor.pendingSignIn(account.get().id()));
      ctx.redirect("/login/code", HttpStatus.SEE_OTHER);
      return;
    }
    site.startSession(ctx, account.get().id());
    ctx.redirect("/dashboard", HttpStatus.SEE_OTHER);
  }

  /** The second step of a sign-in with two-factor on: a code from the app or a recovery code. */
  private void secondFactor(Context ctx) {
    site.requireCsrf(ctx);
    Optional<Long> account = twoFactor.pendingAccount(site.heldSignIn(ctx));
    if (account.isEmpty()) {
      site.flash(ctx, "That sign-in took too long; sign in again.");
      ctx.redirect("/login", HttpStatus.SEE_OTHER);
      return;
    }
    try {
      twoFactor.requireCode(account.get(), ctx.formParam("code"));
    } catch (ApiException e) {
      e.headers().forEach(ctx::header);
      site.render(ctx, e.status(), "login-code.jte", Map.of("error", e.getMessage()));
      return;
    }
    site.dropHeldSignIn(ctx);
    site.startSession(ctx, account.get());
    ctx.redirect("/dashboard", HttpStatus.SEE_OTHER);
  }

  private void signUp(Context ctx) {
    site.requireCsrf(ctx);
    String email = ctx.formParam("email");
    String password = ctx.formParam("password");
    // Sign-ups spend the address's budget: they also answer "is this email taken?".
    Optional<Duration> wait = throttle.attemptFromAddress(Website.clientAddress(ctx));
    if (wait.isPresent()) {
      form(ctx, 429, "signup.jte", email, "Too many attempts. Try again in a minute.");
      return;
    }
    if (password == null || !password.equals(ctx.formParam("password_again"))) {
      form(ctx, 400, "signup.jte", email, "The two passwords are not the same.");
      return;
    }
    try {
      Account account = accounts.signUp(email, password);
      site.startSession(ctx, account.id());
      ctx.redirect("/dashboard", HttpStatus.SEE_OTHER);
    } catch (ApiException e) {
      form(ctx, e.status(), "signup.jte", email, e.getMessage());
    }
  }

  private void form(Context ctx, int status, String template, String email, String error) {
    site.render(
        ctx,
        status,
        template,
        Map.of("email", email == null ? "" : email, "error", error == null ? "" : error));
  }
}
