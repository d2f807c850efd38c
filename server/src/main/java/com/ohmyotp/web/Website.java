package com.ohmyotp.web;

import com.ohmyotp.accounts.Account;
import com.ohmyotp.accounts.Accounts;
import com.ohmyotp.accounts.WebSessions;
import com.ohmyotp.api.ApiException;
import com.ohmyotp.api.Caller;
import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.StringOutput;
import io.javalin.http.Context;
import io.javalin.http.Cookie;
import io.javalin.http.Handler;
import io.javalin.http.SameSite;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What every page of the website shares: the session cookie, CSRF protection, the signed-in visitor
 * and rendering a JTE template under a strict Content-Security-Policy.
 *
 * <p>Every form and every htmx request repeats a CSRF token ({@code _csrf} field or {@code
 * X-CSRF-Token} header). For a signed-in visitor it is derived from the session, which another site
 * cannot read: a cookie planted by a sibling subdomain or over plain HTTP forges nothing. Before
 * sign-in, when there is no session yet, it is a random value in a SameSite=Strict cookie that the
 * form must repeat (a double submit). Over TLS both cookies carry the {@code __Host-} prefix, which
 * browsers accept only from this host, over TLS, for the whole site.
 */
public final class Website {

  static final String SESSION_COOKIE = "ohmyotp_session";
  static final String CSRF_COOKIE = "ohmyotp_csrf";
  static final String FLASH_COOKIE = "ohmyotp_flash";
  static final String HELD_COOKIE = "ohmyotp_signin";
  private static final String HOST_ONLY = "__Host-";
  private static final String CSRF_FIELD = "_csrf";
  private static final String CSRF_HEADER = "X-CSRF-Token";
  private static final SecureRandom RANDOM = new SecureRandom();

  /** Scripts and styles from this origin only; no inline code, no frames, forms post here only. */
  static final String PAGE_POLICY = pagePolicy("");

  private static String pagePolicy(String alsoPostTo) {
    return "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        + "connect-src 'self'; form-action 'self'"
        + (alsoPostTo.isEmpty() ? "" : " " + alsoPostTo)
        + "; frame-ancestors 'none'; base-uri 'none'";
  }

  /** The signed-in customer a page is rendered for. */
  public record Visitor(Account account, String csrf) {
    public Caller caller() {
      return new Caller(account.id(), 0);
    }
  }

  /** A page handler for a signed-in visitor. */
  @FunctionalInterface
  interface VisitorHandler {
    void handle(Context ctx, Visitor visitor) throws Exception;
  }

  private final TemplateEngine templates = TemplateEngine.createPrecompiled(ContentType.Html);
  private final WebSessions sessions;
  private final Accounts accounts;

  public Website(WebSessions sessions, Accounts accounts) {
    this.sessions = sessions;
    this.accounts = accounts;
  }

  /** Renders {@code template} with {@code params} (plus the CSRF token) as the response. */
  void render(Context ctx, int status, String template, Map<String, Object> params) {
    render(ctx, status, template, params, "");
  }

  /**
   * Renders a page one of whose forms leads to another site: {@code alsoPostTo} is that site's
   * origin, which the policy's {@code form-action} must allow because browsers hold a form's
   * redirects to it too.
   */
  void render(
      Context ctx, int status, String template, Map<String, Object> params, String alsoPostTo) {
    Map<String, Object> all = new HashMap<>(params);
    all.putIfAbsent("csrf", csrfToken(ctx));
    StringOutput out = new StringOutput();
    templates.render(template, all, out);
    ctx.header("Content-Security-Policy", pagePolicy(alsoPostTo));
    ctx.status(status).contentType("text/html; charset=utf-8").result(out.toString());
  }

  /**
   * Renders a page whose only other content is the outcome of its form: {@code notice} after a
   * success (the flash, shown once), {@code error} after a refusal (rendered with its status).
   */
  void renderOutcome(
      Context ctx, Visitor v, int status, String template, String notice, String error) {
    Map<String, Object> params = new HashMap<>();
    params.put("visitor", v);
    params.put("notice", notice);
    params.put("error", error);
    render(ctx, status, template, params);
  }

  /** Wraps a page that needs a signed-in visitor; others go to the sign-in page. */
  Handler signedIn(VisitorHandler handler) {
    return ctx -> {
      Optional<Account> account = session(ctx).flatMap(sessions::accountOf).flatMap(accounts::find);
      if (account.isEmpty()) {
        if (ctx.header("HX-Request") != null) {
          ctx.header("HX-Redirect", "/login");
          ctx.status(401).result("");
        } else {
          ctx.redirect("/login", io.javalin.http.HttpStatus.SEE_OTHER);
        }
        return;
      }
      if (isUnsafe(ctx)) {
        requireCsrf(ctx);
      }
      handler.handle(ctx, new Visitor(account.get(), csrfToken(ctx)));
    };
  }

  /** Wraps a page anyone may read; the visitor is null when nobody is signed in. */
  Handler anyone(VisitorHandler handler) {
    return ctx -> {
      Optional<Account> account = session(ctx).flatMap(sessions::accountOf).flatMap(accounts::find);
      handler.handle(ctx, account.map(a -> new Visitor(a, csrfToken(ctx))).orElse(null));
    };
  }

  /** Refuses a state-changing request that does not repeat the visitor's CSRF token. */
  void requireCsrf(Context ctx) {
    String expected =
        session(ctx).map(Website::derivedToken).orElseGet(() -> cookieValue(ctx, CSRF_COOKIE));
    String presented =
        Optional.ofNullable(ctx.header(CSRF_HEADER)).orElseGet(() -> ctx.formParam(CSRF_FIELD));
    if (expected == null
        || presented == null
        || !MessageDigest.isEqual(
            expected.getBytes(StandardCharsets.US_ASCII),
            presented.getBytes(StandardCharsets.US_ASCII))) {
      throw ApiException.forbidden(
          "csrf_failed", "This form has expired; reload the page and try again.");
    }
  }

  /**
   * The visitor's CSRF token: derived from the session when there is one, else the double-submit
   * cookie's, set on first sight.
   */
  String csrfToken(Context ctx) {
    String token = ctx.attribute(CSRF_COOKIE);
    if (token != null) {
      return token;
    }
    Optional<String> session = session(ctx);
    if (session.isPresent()) {
      token = derivedToken(session.get());
    } else {
      token = cookieValue(ctx, CSRF_COOKIE);
      if (token == null || token.length() != 32) {
        token = randomToken(24);
        ctx.cookie(cookie(ctx, CSRF_COOKIE, token, -1, SameSite.STRICT));
      }
    }
    ctx.attribute(CSRF_COOKIE, token);
    return token;
  }

  /** The session cookie's value, if the visitor sent one. */
  /** The raw token of the visitor's session cookie, if any. */
  static Optional<String> session(Context ctx) {
    return Optional.ofNullable(cookieValue(ctx, SESSION_COOKIE)).filter(v -> !v.isEmpty());
  }

  /**
   * The CSRF token of a session: a hash of its secret token, so that only a page the session's own
   * browser loaded from this site can know it.
   */
  private static String derivedToken(String session) {
    try {
      byte[] hash =
          MessageDigest.getInstance("SHA-256")
              .digest(("ohmyotp csrf\n" + session).getBytes(StandardCharsets.US_ASCII));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(hash).substring(0, 32);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  void startSession(Context ctx, long accountId) {
    String token = sessions.open(accountId);
    ctx.cookie(
        cookie(ctx, SESSION_COOKIE, token, (int) WebSessions.ABSOLUTE.toSeconds(), SameSite.LAX));
  }

  /**
   * Holds a sign-in whose password was right until its second factor comes: {@code note} is the
   * sealed note that says so, kept in a cookie of its own for the code page.
   */
  void holdSignIn(Context ctx, String note) {
    ctx.cookie(
        cookie(
            ctx,
            HELD_COOKIE,
            note,
            (int) com.ohmyotp.accounts.TwoFactor.PENDING.toSeconds(),
            SameSite.STRICT));
  }

  /** The note of a sign-in held for its code; null when none. */
  String heldSignIn(Context ctx) {
    return cookieValue(ctx, HELD_COOKIE);
  }

  void dropHeldSignIn(Context ctx) {
    ctx.cookie(cookie(ctx, HELD_COOKIE, "", 0, SameSite.STRICT));
  }

  void endSession(Context ctx) {
    sessions.close(cookieValue(ctx, SESSION_COOKIE));
    ctx.cookie(cookie(ctx, SESSION_COOKIE, "", 0, SameSite.LAX));
  }

  /**
   * A message for the next page the visitor sees, once: a form post redirects (so that a reload
   * does not post again) and the page it lands on tells what happened, with nothing added to its
   * address.
   */
  void flash(Context ctx, String message) {
    ctx.cookie(
        cookie(
            ctx,
            FLASH_COOKIE,
            java.net.URLEncoder.encode(message, StandardCharsets.UTF_8),
            60,
            SameSite.STRICT));
  }

  /** The message {@link #flash} left, taken so that it shows once; empty when none. */
  String takeFlash(Context ctx) {
    String value = cookieValue(ctx, FLASH_COOKIE);
    if (value == null || value.isEmpty()) {
      return "";
    }
    ctx.cookie(cookie(ctx, FLASH_COOKIE, "", 0, SameSite.STRICT));
    try {
      return java.net.URLDecoder.decode(value, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return "";
    }
  }

  /**
   * HttpOnly always. Over TLS (directly or through a proxy that says so) Secure, and named with the
   * {@code __Host-} prefix, which browsers take only from this host over TLS for path {@code /}.
   */
  private static Cookie cookie(
      Context ctx, String name, String value, int maxAge, SameSite sameSite) {
    boolean tls = overTls(ctx);
    return new Cookie(tls ? HOST_ONLY + name : name, value, "/", maxAge, tls, true, null, sameSite);
  }

  /** A cookie the visitor sent, under the name it was set with on this kind of connection. */
  private static String cookieValue(Context ctx, String name) {
    return ctx.cookie(overTls(ctx) ? HOST_ONLY + name : name);
  }

  private static boolean overTls(Context ctx) {
    return "https".equalsIgnoreCase(ctx.scheme())
        || "https".equalsIgnoreCase(ctx.header("X-Forwarded-Proto"));
  }

  private static boolean isUnsafe(Context ctx) {
    String method = ctx.method().name();
    return !method.equals("GET") && !method.equals("HEAD");
  }

  private static String randomToken(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  /** The client's address as the server saw it (the proxy's, behind one). */
  static String clientAddress(Context ctx) {
    return ctx.req().getRemoteAddr();
  }
}
