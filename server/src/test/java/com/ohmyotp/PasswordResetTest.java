package com.ohmyotp;

import static com.ohmyotp.support.WebVisitor.form;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetupTest;
import com.ohmyotp.support.TestServer;
import com.ohmyotp.support.WebVisitor;
import jakarta.mail.Message;
import jakarta.mail.internet.MimeMessage;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * "Forgot your password?" against a real SMTP server in the test JVM (GreenMail): the link arrives,
 * works once, for 30 minutes, ends every session; the answer is the same for an address without an
 * account; tokens are neither reusable nor guessable.
 */
class PasswordResetTest {

  static final String PUBLIC_URL = "https://otp.example.com";
  static final Pattern LINK =
      Pattern.compile(Pattern.quote(PUBLIC_URL) + "/reset-password\\?token=([A-Za-z0-9_-]{43})");
  static GreenMail smtp;
  static TestServer server;

  @BeforeAll
  static void start() {
    smtp = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
    smtp.start();
    server = TestServer.start(mailSettings(smtp));
  }

  @AfterAll
  static void stop() {
    server.close();
    smtp.stop();
  }

  /** Settings that send the server's mail to {@code smtp}. */
  static Map<String, String> mailSettings(GreenMail smtp) {
    Map<String, String> settings = new HashMap<>();
    settings.put("OHMYOTP_SMTP_HOST", "127.0.0.1");
    settings.put("OHMYOTP_SMTP_PORT", Integer.toString(smtp.getSmtp().getPort()));
    settings.put("OHMYOTP_SMTP_SECURITY", "none");
    settings.put("OHMYOTP_MAIL_FROM", "ohmyotp <no-reply@otp.example.com>");
    settings.put("OHMYOTP_PUBLIC_URL", PUBLIC_URL);
    return settings;
  }

  /** The messages {@code smtp} received for {@code to}. */
  static List<MimeMessage> mailTo(GreenMail smtp, String to) {
    return Arrays.stream(smtp.getReceivedMessages())
        .filter(
            m -> {
              try {
                return Arrays.stream(m.getRecipients(Message.RecipientType.TO))
                    .anyMatch(a -> a.toString().equalsIgnoreCase(to));
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            })
        .toList();
  }

  /** Asks for a link for {@code email} and returns its token once the mail is in. */
  static String tokenMailedTo(TestServer server, GreenMail smtp, String email) throws Exception {
    return tokenMailedTo(server.base, smtp, email);
  }

  /** Asks the server at {@code base} for a link for {@code email}; returns its mailed token. */
  static String tokenMailedTo(String base, GreenMail smtp, String email) throws Exception {
    int before = mailTo(smtp, email).size();
    WebVisitor v = new WebVisitor(base);
    assertThat(v.post("/forgot-password", form("_csrf", v.csrf(), "email", email)).statusCode())
        .isEqualTo(303);
    List<MimeMessage> mail =
        await()
            .atMost(Duration.ofSeconds(20))
            .until(() -> mailTo(smtp, email), m -> m.size() > before);
    MimeMessage message = mail.get(mail.size() - 1);
    assertThat(message.getSubject()).isEqualTo("Choose a new ohmyotp password");
    assertThat(message.getFrom()[0].toString()).contains("no-reply@otp.example.com");
    Matcher link = LINK.matcher(GreenMailUtil.getBody(message));
    assertThat(link.find()).as(GreenMailUtil.getBody(message)).isTrue();
    return link.group(1);
  }

  static String email() {
    return "reset" + System.nanoTime() + "@example.com";
  }

  static HttpResponse<String> reset(WebVisitor v, String token, String password, String again)
      throws Exception {
    return v.post(
        "/reset-password",
        form("_csrf", v.csrf(), "token", token, "password", password, "password_again", again));
  }

  @Test
  void theMailedLinkSetsANewPasswordOnceAndSignsEverySessionOut() throws Exception {
    String email = email();
    WebVisitor signedIn = new WebVisitor(server.base);
    assertThat(signedIn.signUp(email, "the old password").statusCode()).isEqualTo(303);
    assertThat(signedIn.get("/dashboard").statusCode()).isEqualTo(200);

    WebVisitor v = new WebVisitor(server.base);
    String token = tokenMailedTo(server, smtp, email);
    HttpResponse<String> page = v.get("/reset-password?token=" + token);
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("name=\"token\" value=\"" + token + "\"");

    // A typo does not spend the link.
    HttpResponse<String> typo = reset(v, token, "a brand new password", "a brand new passwort");
    assertThat(typo.statusCode()).isEqualTo(400);
    assertThat(typo.body()).contains("not typed the same twice");
    assertThat(reset(v, token, "short", "short").statusCode()).isEqualTo(400);

    HttpResponse<String> done = reset(v, token, "a brand new password", "a brand new password");
    assertThat(done.statusCode()).isEqualTo(303);
    assertThat(done.headers().firstValue("Location")).contains("/login");
    assertThat(v.get("/login").body()).contains("Your password is changed.");

    assertThat(signedIn.get("/dashboard").statusCode()).as("signed out").isEqualTo(303);
    assertThat(new WebVisitor(server.base).signIn(email, "the old password").statusCode())
        .isEqualTo(401);
    assertThat(new WebVisitor(server.base).signIn(email, "a brand new password").statusCode())
        .isEqualTo(303);

    HttpResponse<String> again = reset(v, token, "yet another password", "yet another password");
    assertThat(again.statusCode()).isEqualTo(400);
    assertThat(again.body()).contains("expired or has been used already");
    assertThat(new WebVisitor(server.base).signIn(email, "yet another password").statusCode())
        .isEqualTo(401);
  }

  @Test
  void anAddressWithoutAnAccountGetsTheSameAnswerAndNoMail() throws Exception {
    String known = email();
    assertThat(new WebVisitor(server.base).signUp(known, "long enough pw").statusCode())
        .isEqualTo(303);
    String unknown = email();

    WebVisitor a = new WebVisitor(server.base);
    HttpResponse<String> forUnknown =
        a.post("/forgot-password", form("_csrf", a.csrf(), "email", unknown));
    String unknownPage = a.get("/forgot-password").body();
    WebVisitor b = new WebVisitor(server.base);
    HttpResponse<String> forKnown =
        b.post("/forgot-password", form("_csrf", b.csrf(), "email", known));
    String knownPage = b.get("/forgot-password").body();

    assertThat(forUnknown.statusCode()).isEqualTo(forKnown.statusCode()).isEqualTo(303);
    assertThat(forUnknown.headers().firstValue("Location"))
        .isEqualTo(forKnown.headers().firstValue("Location"));
    assertThat(unknownPage.replace(a.csrf(), "")).isEqualTo(knownPage.replace(b.csrf(), ""));
    assertThat(unknownPage).contains("If an account uses that address");
    // Mail goes out in the order asked: once the known address's is in, the unknown's turn passed.
    await().atMost(Duration.ofSeconds(20)).until(() -> mailTo(smtp, known).size() == 1);
    assertThat(mailTo(smtp, unknown)).isEmpty();
  }

  @Test
  void aLinkExpiresAfterThirtyMinutes() throws Exception {
    String email = email();
    assertThat(new WebVisitor(server.base).signUp(email, "the old password").statusCode())
        .isEqualTo(303);
    String token = tokenMailedTo(server, smtp, email);
    server.clock.advance(Duration.ofMinutes(31));
    WebVisitor v = new WebVisitor(server.base);
    HttpResponse<String> late = reset(v, token, "a brand new password", "a brand new password");
    assertThat(late.statusCode()).isEqualTo(400);
    assertThat(late.body()).contains("expired or has been used already");
    assertThat(new WebVisitor(server.base).signIn(email, "the old password").statusCode())
        .isEqualTo(303);
  }

  @Test
  void formsWithoutTheirCsrfTokenAreRefused() throws Exception {
    WebVisitor v = new WebVisitor(server.base);
    v.csrf();
    assertThat(v.post("/forgot-password", form("email", "x@example.com")).statusCode())
        .isEqualTo(403);
    assertThat(
            v.post(
                    "/reset-password",
                    form("token", "t", "password", "long enough", "password_again", "long enough"))
                .statusCode())
        .isEqualTo(403);
  }

  @Test
  void guessedTokensAreRefusedThenThrottledAndOneInboxCannotBeFlooded() throws Exception {
    // A server of its own: the budgets are per client address, and every test comes from one.
    try (TestServer own = TestServer.start(mailSettings(smtp))) {
      String email = email();
      WebVisitor v = new WebVisitor(own.base);
      assertThat(v.signUp(email, "the old password").statusCode()).isEqualTo(303);
      for (int i = 0; i < 20; i++) {
        byte[] guess = new byte[32];
        new java.security.SecureRandom().nextBytes(guess);
        String token = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(guess);
        assertThat(reset(v, token, "guessed password", "guessed password").statusCode())
            .isEqualTo(400);
      }
      HttpResponse<String> throttled = reset(v, "x", "guessed password", "guessed password");
      assertThat(throttled.statusCode()).isEqualTo(429);
      assertThat(throttled.headers().firstValue("Retry-After")).isPresent();

      // Five asks for one inbox: three mails, then one every ten minutes.
      for (int i = 0; i < 5; i++) {
        assertThat(v.post("/forgot-password", form("_csrf", v.csrf(), "email", email)).statusCode())
            .isEqualTo(303);
      }
      String other = email();
      assertThat(new WebVisitor(own.base).signUp(other, "long enough pw").statusCode())
          .isEqualTo(303);
      tokenMailedTo(own, smtp, other);
      assertThat(mailTo(smtp, email)).hasSize(3);
    }
  }
}
