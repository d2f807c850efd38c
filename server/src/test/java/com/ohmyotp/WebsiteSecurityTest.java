package com.ohmyotp;

import static com.ohmyotp.support.WebVisitor.form;
import static org.assertj.core.api.Assertions.assertThat;

import com.ohmyotp.support.Driver.Customer;
import com.ohmyotp.support.TestServer;
import com.ohmyotp.support.WebVisitor;
import java.net.HttpCookie;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The website's defences, checked at the HTTP level: CSRF, cookies, headers, guessing, sessions.
 */
class WebsiteSecurityTest {

  static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.start();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static String email() {
    return "sec" + System.nanoTime() + "@example.com";
  }

  @Test
  void pagesNeedASignInAndCarryAStrictContentSecurityPolicy() throws Exception {
    WebVisitor v = new WebVisitor(server.base);
    HttpResponse<String> dashboard = v.get("/dashboard");
    assertThat(dashboard.statusCode()).isEqualTo(303);
    assertThat(dashboard.headers().firstValue("Location")).contains("/login");

    HttpResponse<String> login = v.get("/login");
    assertThat(login.statusCode()).isEqualTo(200);
    String csp = login.headers().firstValue("Content-Security-Policy").orElseThrow();
    assertThat(csp)
        .contains("script-src 'self'")
        .contains("frame-ancestors 'none'")
        .doesNotContain("unsafe");
    assertThat(login.headers().firstValue("X-Frame-Options")).contains("DENY");
    assertThat(login.body())
        .doesNotContain("<script>")
        .doesNotContain(" onclick=")
        .doesNotContain("style=\"");
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(
      strings = {
        "GET /dashboard",
        "GET /dashboard/rentals",
        "POST /dashboard/rent",
        "POST /dashboard/rentals/x/cancel",
        "POST /dashboard/rerent",
        "GET /history",
        "GET /transactions",
        "GET /settings/keys",
        "POST /settings/keys",
        "POST /settings/keys/1/revoke",
        "GET /settings/webhooks",
        "POST /settings/webhooks",
        "POST /settings/webhooks/x/test",
        "POST /settings/webhooks/x/rotate",
        "POST /settings/webhooks/x/enable",
        "POST /settings/webhooks/x/delete",
        "POST /settings/webhooks/x/deliveries/1/replay",
        "GET /top-up",
        "POST /top-up/voucher",
        "POST /top-up/card",
        "GET /history.csv",
        "GET /transactions.csv",
        "GET /top-up/card/done",
        "GET /settings/account",
        "POST /settings/password",
        "GET /settings/two-factor",
        "POST /settings/two-factor/begin",
        "POST /settings/two-factor/enable",
        "POST /settings/two-factor/recovery",
        "POST /settings/two-factor/disable"
      })
  void everyPageAndActionNeedsASession(String route) throws Exception {
    String[] parts = route.split(" ");
    WebVisitor v = new WebVisitor(server.base);
    String csrf = v.csrf();
    HttpResponse<String> r =
        parts[0].equals("GET") ? v.get(parts[1]) : v.post(parts[1], form("_csrf", csrf));
    assertThat(r.statusCode()).as(route).isEqualTo(303);
    assertThat(r.headers().firstValue("Location")).contains("/login");
    // An API key is not a session.
    Customer c = server.customer("1");
    HttpResponse<String> withKey = v.get(parts[1], "Authorization", "Bearer " + c.key());
    assertThat(withKey.statusCode()).as(route + " with an API key").isIn(303, 405);
  }

  private static WebVisitor formPoster;

  /** Every form a signed-in visitor posts is refused without its token, before anything runs. */
  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(
      strings = {
        "/dashboard/rent",
        "/dashboard/rentals/x/cancel",
        "/dashboard/rerent",
        "/settings/keys",
        "/settings/keys/1/revoke",
        "/settings/webhooks",
        "/settings/webhooks/x/test",
        "/settings/webhooks/x/rotate",
        "/settings/webhooks/x/enable",
        "/settings/webhooks/x/delete",
        "/settings/webhooks/x/deliveries/1/replay",
        "/top-up/voucher",
        "/top-up/card",
        "/settings/password",
        "/settings/two-factor/begin",
        "/settings/two-factor/enable",
        "/settings/two-factor/recovery",
        "/settings/two-factor/disable",
        "/logout"
      })
  void everyFormOfASignedInVisitorNeedsItsCsrfToken(String path) throws Exception {
    // One account for every form: sign-ups from one address are limited.
    if (formPoster == null) {
      formPoster = new WebVisitor(server.base);
      assertThat(formPoster.signUp(email(), "long enough pw").statusCode()).isEqualTo(303);
    }
    WebVisitor v = formPoster;
    assertThat(v.post(path, form("service", "x", "code", "123456")).statusCode())
        .as(path)
        .isEqualTo(403);
    assertThat(
            v.post(path, form("_csrf", "forged-token-forged-token-forged", "code", "1"))
                .statusCode())
        .as(path + " with a forged token")
        .isEqualTo(403);
    // Still signed in: the refusal changed nothing.
    assertThat(v.get("/dashboard").statusCode()).isEqualTo(200);
  }

  @Test
  void formsWithoutTheCsrfTokenAreRefusedAndChangeNothing() throws Exception {
    WebVisitor v = new WebVisitor(server.base);
    String email = email();
    assertThat(
            v.post(
                    "/signup",
                    form(
                        "email",
                        email,
                        "password",
                        "long enough pw",
                        "password_again",
                        "long enough pw"))
                .statusCode())
        .isEqualTo(403);
    assertThat(
            v.post(
                    "/signup",
                    form(
                        "_csrf",
                        "forged-token-forged-token-forged",
                        "email",
                        email,
                        "password",
                        "long enough pw",
                        "password_again",
                        "long enough pw"))
                .statusCode())
        .isEqualTo(403);
    long accounts =
        server
            .app
            .database()
            .read(
                h ->
                    h.createQuery("SELECT COUNT(*) FROM accounts WHERE email_key = :e")
                        .bind("e", email)
                        .mapTo(Long.class)
                        .one());
    assertThat(accounts).isZero();

    assertThat(v.signUp(email, "long enough pw").statusCode()).isEqualTo(303);
    HttpResponse<String> keyWithoutToken = v.post("/settings/keys", form("name", "sneaky"));
    assertThat(keyWithoutToken.statusCode()).isEqualTo(403);
    assertThat(v.get("/settings/keys").body()).doesNotContain("sneaky");
    HttpResponse<String> hookWithoutToken =
        v.post(
            "/settings/webhooks",
            form("url", "https://sneaky.example/hook", "events", "sms.received"));
    assertThat(hookWithoutToken.statusCode()).isEqualTo(403);
    assertThat(v.get("/settings/webhooks").body()).doesNotContain("sneaky");
    String voucher = server.voucher("3");
    assertThat(v.post("/top-up/voucher", form("code", voucher)).statusCode()).isEqualTo(403);
    assertThat(v.get("/top-up").body()).contains("top-up-balance\">0.00<");
  }

  @Test
  void cookiesAreHttpOnlyAndSameSiteAndSecureBehindTls() throws Exception {
    WebVisitor v = new WebVisitor(server.base);
    List<String> plain = v.get("/login").headers().allValues("Set-Cookie");
    assertThat(plain)
        .anySatisfy(
            c ->
                assertThat(c)
                    .startsWith("ohmyotp_csrf=")
                    .contains("HttpOnly")
                    .containsIgnoringCase("SameSite=Strict")
                    .doesNotContain("Secure"));

    WebVisitor tls = new WebVisitor(server.base);
    List<String> secure =
        tls.get("/login", "X-Forwarded-Proto", "https").headers().allValues("Set-Cookie");
    // Over TLS the __Host- prefix: no sibling subdomain and no plain-HTTP page can set it.
    assertThat(secure)
        .anySatisfy(
            c ->
                assertThat(c)
                    .startsWith("__Host-ohmyotp_csrf=")
                    .contains("Secure")
                    .containsIgnoringCase("Path=/")
                    .doesNotContainIgnoringCase("Domain="));
    String token =
        WebVisitor.CSRF_FIELD
            .matcher(tls.get("/login", "X-Forwarded-Proto", "https").body())
            .results()
            .findFirst()
            .orElseThrow()
            .group(1);
    HttpResponse<String> tlsSignUp =
        tls.post(
            "/signup",
            form(
                "_csrf",
                token,
                "email",
                email(),
                "password",
                "long enough pw",
                "password_again",
                "long enough pw"),
            "X-Forwarded-Proto",
            "https",
            "Cookie",
            "__Host-ohmyotp_csrf=" + token);
    assertThat(tlsSignUp.statusCode()).as(tlsSignUp.body()).isEqualTo(303);
    assertThat(tlsSignUp.headers().allValues("Set-Cookie"))
        .anySatisfy(c -> assertThat(c).startsWith("__Host-ohmyotp_session=").contains("Secure"));

    HttpResponse<String> signedUp = v.signUp(email(), "long enough pw");
    assertThat(signedUp.headers().allValues("Set-Cookie"))
        .anySatisfy(
            c ->
                assertThat(c)
                    .startsWith("ohmyotp_session=")
                    .contains("HttpOnly")
                    .containsIgnoringCase("SameSite=Lax"));
  }

  @Test
  void changingThePasswordNeedsTheCurrentOneAndSignsOutEveryOtherSession() throws Exception {
    String email = "pw" + System.nanoTime() + "@example.com";
    WebVisitor here = new WebVisitor(server.base);
    assertThat(here.signUp(email, "first password").statusCode()).isEqualTo(303);
    WebVisitor there = new WebVisitor(server.base);
    assertThat(there.signIn(email, "first password").statusCode()).isEqualTo(303);
    assertThat(there.get("/dashboard").statusCode()).isEqualTo(200);

    HttpResponse<String> noToken =
        here.post(
            "/settings/password",
            form(
                "current",
                "first password",
                "password",
                "stolen pw!",
                "password_again",
                "stolen pw!"));
    assertThat(noToken.statusCode()).isEqualTo(403);
    HttpResponse<String> wrong =
        changePassword(here, "not the one", "second password", "second password");
    assertThat(wrong.statusCode()).isEqualTo(403);
    assertThat(wrong.body()).contains("The current password is not right.");
    HttpResponse<String> mismatched =
        changePassword(here, "first password", "second password", "second passwrd");
    assertThat(mismatched.statusCode()).isEqualTo(400);
    assertThat(there.get("/dashboard").statusCode()).isEqualTo(200);

    HttpResponse<String> changed =
        changePassword(here, "first password", "second password", "second password");
    assertThat(changed.statusCode()).isEqualTo(303);
    assertThat(changed.headers().firstValue("Location")).contains("/settings/account");
    assertThat(here.get("/settings/account").body()).contains("Password changed.");
    assertThat(here.get("/dashboard").statusCode()).isEqualTo(200);
    HttpResponse<String> signedOut = there.get("/dashboard");
    assertThat(signedOut.statusCode()).isEqualTo(303);
    assertThat(signedOut.headers().firstValue("Location")).contains("/login");
    assertThat(new WebVisitor(server.base).signIn(email, "first password").statusCode())
        .isNotEqualTo(303);
    assertThat(new WebVisitor(server.base).signIn(email, "second password").statusCode())
        .isEqualTo(303);
  }

  @Test
  void guessingTheCurrentPasswordInASessionIsSlowedAsSignInsAre() throws Exception {
    // A server of its own: the budgets are per address, and every test comes from one.
    try (TestServer own = TestServer.start()) {
      String email = email();
      WebVisitor v = new WebVisitor(own.base);
      assertThat(v.signUp(email, "the real password").statusCode()).isEqualTo(303);
      for (int i = 0; i < 5; i++) {
        assertThat(changePassword(v, "guess " + i, "a new password", "a new password").statusCode())
            .isEqualTo(403);
      }
      HttpResponse<String> stopped =
          changePassword(v, "the real password", "a new password", "a new password");
      assertThat(stopped.statusCode()).isEqualTo(429);
      assertThat(stopped.headers().firstValue("Retry-After")).isPresent();
      // The same budget as the sign-in page's: that email waits there too.
      assertThat(new WebVisitor(own.base).signIn(email, "the real password").statusCode())
          .isEqualTo(429);
    }
  }

  private static HttpResponse<String> changePassword(
      WebVisitor v, String current, String password, String again) throws Exception {
    return v.post(
        "/settings/password",
        form("_csrf", v.csrf(), "current", current, "password", password, "password_again", again));
  }

  @Test
  void aPlantedCsrfCookieForgesNothingForASignedInVisitor() throws Exception {
    WebVisitor v = new WebVisitor(server.base);
    v.signUp(email(), "long enough pw");
    // A sibling subdomain, or a page over plain HTTP, sets a CSRF cookie whose value it knows.
    String session = v.cookie("ohmyotp_session");
    String planted = "p".repeat(32);
    URI site = URI.create(server.base);
    v.cookies.getCookieStore().removeAll();
    for (HttpCookie c :
        List.of(
            new HttpCookie("ohmyotp_session", session), new HttpCookie("ohmyotp_csrf", planted))) {
      c.setPath("/");
      v.cookies.getCookieStore().add(site, c);
    }
    HttpResponse<String> forged =
        v.post("/settings/keys", form("_csrf", planted, "name", "forged"));
    assertThat(forged.statusCode()).isEqualTo(403);
    assertThat(v.get("/settings/keys").body()).doesNotContain("forged");
    // The token the site's own pages carry still works.
    HttpResponse<String> mine = v.post("/settings/keys", form("_csrf", v.csrf(), "name", "mine"));
    assertThat(mine.statusCode()).isEqualTo(201);
    assertThat(v.get("/settings/keys").body()).contains("mine");
  }

  @Test
  void sessionsAreStoredOnlyAsHashesAndEndOnSignOut() throws Exception {
    WebVisitor v = new WebVisitor(server.base);
    v.signUp(email(), "long enough pw");
    String token = v.cookie("ohmyotp_session");
    String hash =
        HexFormat.of()
            .formatHex(
                MessageDigest.getInstance("SHA-256")
                    .digest(token.getBytes(StandardCharsets.US_ASCII)));
    List<String> stored =
        server
            .app
            .database()
            .read(
                h ->
                    h.createQuery("SELECT token_hash FROM web_sessions")
                        .mapTo(String.class)
                        .list());
    assertThat(stored).contains(hash).doesNotContain(token);

    assertThat(v.get("/dashboard").statusCode()).isEqualTo(200);
    assertThat(v.post("/logout", form("_csrf", v.csrf())).statusCode()).isEqualTo(303);
    // The old cookie, replayed by someone who copied it, opens nothing.
    WebVisitor thief = new WebVisitor(server.base);
    thief
        .cookies
        .getCookieStore()
        .add(URI.create(server.base), new HttpCookie("ohmyotp_session", token));
    assertThat(thief.get("/dashboard").statusCode()).isEqualTo(303);
  }

  @Test
  void passwordGuessingIsSlowedThenStopped() throws Exception {
    String email = email();
    WebVisitor owner = new WebVisitor(server.base);
    owner.signUp(email, "the right password");

    WebVisitor guesser = new WebVisitor(server.base);
    for (int i = 0; i < 5; i++) {
      HttpResponse<String> wrong = guesser.signIn(email, "guess " + i);
      assertThat(wrong.statusCode()).isEqualTo(401);
      assertThat(wrong.body()).contains("do not match");
    }
    HttpResponse<String> locked = guesser.signIn(email, "the right password");
    assertThat(locked.statusCode()).isEqualTo(429);
    assertThat(locked.headers().firstValue("Retry-After")).isPresent();
    assertThat(locked.body()).contains("Too many attempts");
    assertThat(guesser.cookie("ohmyotp_session")).isNull();
  }

  @Test
  void onlyFailedSignInsCountTowardsTheLimit() throws Exception {
    String email = email();
    new WebVisitor(server.base).signUp(email, "the right password");
    // More sign-ins in a minute than failures are allowed: the owner is never locked out.
    for (int i = 0; i < 8; i++) {
      WebVisitor visit = new WebVisitor(server.base);
      assertThat(visit.signIn(email, "the right password").statusCode())
          .as("sign-in %d", i)
          .isEqualTo(303);
    }
  }

  @Test
  void aTakenEmailAndAWeakPasswordAreExplainedInWords() throws Exception {
    String email = email();
    assertThat(new WebVisitor(server.base).signUp(email, "long enough pw").statusCode())
        .isEqualTo(303);
    HttpResponse<String> taken = new WebVisitor(server.base).signUp(email, "another long pw");
    assertThat(taken.statusCode()).isEqualTo(409);
    assertThat(taken.body()).contains("already exists");
    HttpResponse<String> weak = new WebVisitor(server.base).signUp(email(), "short");
    assertThat(weak.statusCode()).isEqualTo(400);
    assertThat(weak.body()).contains("8 to 200 characters");
  }

  @Test
  void aVisitorCannotCancelAnotherAccountsRental() throws Exception {
    Customer other = server.customer("2");
    String service = server.service("Uber", "0.40", "gateway");
    server.numbers("gateway", 2);
    String rentalId = server.rent(other, service).get("id").asText();

    WebVisitor v = new WebVisitor(server.base);
    v.signUp(email(), "long enough pw");
    HttpResponse<String> attempt =
        v.post("/dashboard/rentals/" + rentalId + "/cancel", form("_csrf", v.csrf()));
    assertThat(attempt.statusCode()).as(attempt.body()).isEqualTo(403);
    assertThat(attempt.body()).contains("belongs to another account");
    assertThat(
            server
                .http
                .get("/api/v1/rentals/" + rentalId, other.key())
                .json()
                .get("status")
                .asText())
        .isEqualTo("active");
    assertThat(server.balance(other)).isEqualByComparingTo("1.6");
  }
}
