package com.ohmyotp;

import static com.ohmyotp.support.WebVisitor.form;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.ohmyotp.support.TestServer;
import com.ohmyotp.support.Totp;
import com.ohmyotp.support.WebVisitor;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two-factor sign-in at the HTTP level, with codes computed from RFC 6238 in the test: set up with
 * the key the page shows, a sign-in held until its code, each code once, recovery codes once, wrong
 * codes throttled, a held sign-in lapsing, turning it off.
 */
class TwoFactorTest {

  static final Pattern SECRET = Pattern.compile("id=\"totp-secret\">([A-Z2-7]+)<");
  static final Pattern RECOVERY = Pattern.compile("<li><code>([a-z0-9-]{19})</code></li>");
  static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.start();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  record Enrolled(String email, String secret, List<String> recoveryCodes) {}

  static String code(String secret) {
    return Totp.code(secret, server.clock.epochSecond());
  }

  /** A new account with two-factor sign-in turned on through the pages. */
  static Enrolled enrolled(WebVisitor v) throws Exception {
    String email = "tf" + System.nanoTime() + "@example.com";
    assertThat(v.signUp(email, "long enough pw").statusCode()).isEqualTo(303);
    assertThat(v.get("/settings/account").body()).contains("Off: the password alone signs in.");
    assertThat(v.post("/settings/two-factor/begin", form("_csrf", v.csrf())).statusCode())
        .isEqualTo(303);
    String page = v.get("/settings/two-factor").body();
    assertThat(page).contains("<svg").contains("aria-label=\"QR code for an authenticator app\"");
    Matcher secret = SECRET.matcher(page);
    assertThat(secret.find()).isTrue();
    assertThat(secret.group(1)).hasSize(32);
    assertThat(page)
        .contains(
            "href=\"otpauth://totp/ohmyotp%3A"
                + email.replace("@", "%40")
                + "?secret="
                + secret.group(1)
                + "&amp;issuer=ohmyotp&amp;algorithm=SHA1&amp;digits=6&amp;period=30\"");

    HttpResponse<String> wrong =
        v.post("/settings/two-factor/enable", form("_csrf", v.csrf(), "code", "000000"));
    assertThat(wrong.statusCode()).isEqualTo(400);
    HttpResponse<String> on =
        v.post(
            "/settings/two-factor/enable", form("_csrf", v.csrf(), "code", code(secret.group(1))));
    assertThat(on.statusCode()).isEqualTo(200);
    List<String> recovery = new ArrayList<>();
    Matcher m = RECOVERY.matcher(on.body());
    while (m.find()) {
      recovery.add(m.group(1));
    }
    assertThat(recovery).hasSize(10).doesNotHaveDuplicates();
    assertThat(v.get("/settings/two-factor").body())
        .contains("10 recovery codes left")
        .doesNotContain(recovery.get(0));
    return new Enrolled(email, secret.group(1), recovery);
  }

  static HttpResponse<String> passwordStep(WebVisitor v, String email) throws Exception {
    HttpResponse<String> r = v.signIn(email, "long enough pw");
    assertThat(r.statusCode()).isEqualTo(303);
    assertThat(r.headers().firstValue("Location")).contains("/login/code");
    return r;
  }

  static HttpResponse<String> codeStep(WebVisitor v, String code) throws Exception {
    return v.post("/login/code", form("_csrf", v.csrf(), "code", code));
  }

  @Test
  void aSignInIsHeldUntilItsCodeAndEachCodeWorksOnce() throws Exception {
    Enrolled e = enrolled(new WebVisitor(server.base));
    WebVisitor v = new WebVisitor(server.base);
    passwordStep(v, e.email());
    // The password alone opens nothing.
    assertThat(v.get("/dashboard").statusCode()).isEqualTo(303);
    assertThat(v.get("/login/code").statusCode()).isEqualTo(200);
    // The code that turned it on was taken at this step: it does not sign in again.
    HttpResponse<String> replay = codeStep(v, code(e.secret()));
    assertThat(replay.statusCode()).isEqualTo(400);
    assertThat(replay.body()).contains("used already");

    server.clock.advance(Duration.ofSeconds(30));
    String fresh = code(e.secret());
    HttpResponse<String> in = codeStep(v, fresh);
    assertThat(in.statusCode()).isEqualTo(303);
    assertThat(in.headers().firstValue("Location")).contains("/dashboard");
    assertThat(v.get("/dashboard").statusCode()).isEqualTo(200);

    WebVisitor other = new WebVisitor(server.base);
    passwordStep(other, e.email());
    assertThat(codeStep(other, fresh).statusCode()).as("the same code twice").isEqualTo(400);
    assertThat(other.get("/dashboard").statusCode()).isEqualTo(303);
  }

  @Test
  void aRecoveryCodeSignsInOnce() throws Exception {
    Enrolled e = enrolled(new WebVisitor(server.base));
    WebVisitor v = new WebVisitor(server.base);
    passwordStep(v, e.email());
    String recovery = e.recoveryCodes().get(3);
    assertThat(codeStep(v, recovery.toUpperCase().replace("-", " ")).statusCode()).isEqualTo(303);
    assertThat(v.get("/dashboard").statusCode()).isEqualTo(200);
    assertThat(v.get("/settings/two-factor").body()).contains("9 recovery codes left");

    WebVisitor again = new WebVisitor(server.base);
    passwordStep(again, e.email());
    assertThat(codeStep(again, recovery).statusCode()).isEqualTo(400);
  }

  @Test
  void wrongCodesAreThrottledAndAHeldSignInLapses() throws Exception {
    Enrolled e = enrolled(new WebVisitor(server.base));
    WebVisitor v = new WebVisitor(server.base);
    passwordStep(v, e.email());
    for (int i = 0; i < 5; i++) {
      assertThat(codeStep(v, "12345" + i).statusCode()).isEqualTo(400);
    }
    HttpResponse<String> throttled = codeStep(v, "123459");
    assertThat(throttled.statusCode()).isEqualTo(429);
    assertThat(throttled.headers().firstValue("Retry-After")).isPresent();

    server.clock.advance(Duration.ofMinutes(6));
    HttpResponse<String> lapsed = codeStep(v, code(e.secret()));
    assertThat(lapsed.statusCode()).isEqualTo(303);
    assertThat(lapsed.headers().firstValue("Location")).contains("/login");
    assertThat(v.get("/login").body()).contains("That sign-in took too long");
    assertThat(v.get("/dashboard").statusCode()).isEqualTo(303);
    // Without the form's token the code step is refused.
    passwordStep(v, e.email());
    assertThat(v.post("/login/code", form("code", code(e.secret()))).statusCode()).isEqualTo(403);
  }

  @Test
  void turningItOffNeedsThePasswordAndACode() throws Exception {
    WebVisitor v = new WebVisitor(server.base);
    Enrolled e = enrolled(v);
    server.clock.advance(Duration.ofSeconds(30));
    HttpResponse<String> noPassword =
        v.post(
            "/settings/two-factor/disable",
            form("_csrf", v.csrf(), "password", "not it at all", "code", code(e.secret())));
    assertThat(noPassword.statusCode()).isEqualTo(403);
    HttpResponse<String> noCode =
        v.post(
            "/settings/two-factor/disable",
            form("_csrf", v.csrf(), "password", "long enough pw", "code", "000000"));
    assertThat(noCode.statusCode()).isEqualTo(400);
    HttpResponse<String> off =
        v.post(
            "/settings/two-factor/disable",
            form("_csrf", v.csrf(), "password", "long enough pw", "code", code(e.secret())));
    assertThat(off.statusCode()).isEqualTo(303);
    WebVisitor fresh = new WebVisitor(server.base);
    HttpResponse<String> in = fresh.signIn(e.email(), "long enough pw");
    assertThat(in.headers().firstValue("Location")).contains("/dashboard");
  }

  @Test
  void theOperatorTurnsItOffForACustomerLockedOut() throws Exception {
    Enrolled e = enrolled(new WebVisitor(server.base));
    JsonNode account = server.admin("GET", "/api/admin/accounts?email=" + e.email(), null).json();
    long id = account.get("id").asLong();
    assertThat(
            server
                .admin("GET", "/api/admin/accounts/" + id, null)
                .json()
                .get("two_factor")
                .asBoolean())
        .isTrue();
    var off = server.admin("POST", "/api/admin/accounts/" + id + "/two-factor/off", null);
    assertThat(off.status()).as(off.text()).isEqualTo(200);
    assertThat(off.json().get("two_factor").asBoolean()).isFalse();
    WebVisitor v = new WebVisitor(server.base);
    assertThat(v.signIn(e.email(), "long enough pw").headers().firstValue("Location"))
        .contains("/dashboard");
    assertThat(server.admin("POST", "/api/admin/accounts/999999/two-factor/off", null).status())
        .isEqualTo(404);
  }

  @Test
  void newRecoveryCodesReplaceTheOldOnes() throws Exception {
    WebVisitor v = new WebVisitor(server.base);
    Enrolled e = enrolled(v);
    HttpResponse<String> replaced =
        v.post(
            "/settings/two-factor/recovery",
            form("_csrf", v.csrf(), "code", e.recoveryCodes().get(0)));
    assertThat(replaced.statusCode()).isEqualTo(200);
    Matcher m = RECOVERY.matcher(replaced.body());
    assertThat(m.find()).isTrue();
    String fresh = m.group(1);
    assertThat(e.recoveryCodes()).doesNotContain(fresh);

    WebVisitor old = new WebVisitor(server.base);
    passwordStep(old, e.email());
    assertThat(codeStep(old, e.recoveryCodes().get(1)).statusCode()).isEqualTo(400);
    assertThat(codeStep(old, fresh).statusCode()).isEqualTo(303);
  }
}
