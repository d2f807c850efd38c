package com.ohmyotp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;
import com.ohmyotp.sources.GatewayWebhook;
import com.ohmyotp.support.Http;
import com.ohmyotp.support.NodeProcess;
import com.ohmyotp.support.Totp;
import com.ohmyotp.support.WebVisitor;
import java.net.CookieManager;
import java.net.HttpCookie;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

/**
 * A full run of a real server process (generated operator token and gateway secret, accounts, keys,
 * a website sign-in, a signed webhook), then every secret it handled is looked for in its whole log
 * output at DEBUG level and in a dump of its database file. None may be there. Security headers are
 * checked on every kind of response along the way.
 */
class SecretsTest {

  @Test
  void noSecretIsLoggedOrStoredInTheClearAndEveryResponseCarriesTheSecurityHeaders()
      throws Exception {
    Path data = Files.createTempDirectory("ohmyotp-secrets-");
    Map<String, String> settings = new HashMap<>(NodeProcess.testSettings());
    settings.remove("OHMYOTP_ADMIN_TOKEN");
    settings.remove("OHMYOTP_GATEWAY_SECRET");
    settings.put("OHMYOTP_DATA_DIR", data.toString());
    settings.put("OHMYOTP_DB_URL", "jdbc:h2:file:" + data.resolve("ohmyotp"));
    settings.put("OHMYOTP_LOG_LEVEL", "DEBUG");
    settings.put("OHMYOTP_WEBHOOK_ALLOW_HOSTS", "127.0.0.1");
    settings.put("OHMYOTP_STRIPE_SECRET_KEY", "sk_test_never_in_a_log_51HxYz");
    settings.put("OHMYOTP_STRIPE_WEBHOOK_SECRET", "whsec_never_in_a_log_8f2a");
    GreenMail smtp = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
    smtp.start();
    settings.putAll(PasswordResetTest.mailSettings(smtp));

    List<String> secrets = new ArrayList<>();
    secrets.add("sk_test_never_in_a_log_51HxYz");
    secrets.add("whsec_never_in_a_log_8f2a");
    List<Http.Response> responses = new ArrayList<>();
    NodeProcess node = NodeProcess.start("secrets", settings);
    String output;
    try {
      String admin = Files.readString(data.resolve("admin-token")).trim();
      String gateway = Files.readString(data.resolve("gateway-secret")).trim();
      secrets.add(admin);
      secrets.add(gateway);
      assertThat(Files.getPosixFilePermissions(data.resolve("admin-token")).toString())
          .isEqualTo("[OWNER_READ, OWNER_WRITE]");

      Http http = node.http;
      String password = "a very secret password 42";
      secrets.add(password);
      Http.Response account =
          http.send(
              "POST",
              "/api/admin/accounts",
              admin,
              "{\"email\":\"secret@example.com\",\"password\":\"" + password + "\",\"balance\":5}",
              Map.of());
      responses.add(account);
      String key = account.json().get("api_key").asText();
      secrets.add(key);
      Http.Response second =
          http.send(
              "POST",
              "/api/admin/accounts/" + account.json().get("id").asLong() + "/api-keys",
              admin,
              "{\"name\":\"second\"}",
              Map.of());
      secrets.add(second.json().get("api_key").asText());
      responses.add(
          http.send(
              "POST",
              "/api/admin/services",
              admin,
              "{\"name\":\"Uber\",\"category\":\"Food\",\"price\":0.4,\"source\":\"gateway\"}",
              Map.of()));
      responses.add(
          http.send(
              "POST",
              "/api/admin/numbers",
              admin,
              "{\"source\":\"gateway\",\"numbers\":[{\"phone_number\":\"2125550100\"}]}",
              Map.of()));
      responses.add(http.post("/api/v1/rentals", key, "{\"service_id\":\"Uber\"}"));
      String body = "{\"to\":\"2125550100\",\"from\":\"Uber\",\"text\":\"Your code is 4821\"}";
      responses.add(
          http.send(
              "POST",
              "/api/v1/inbound/sms",
              null,
              body,
              Map.of(
                  GatewayWebhook.TIMESTAMP_HEADER,
                  String.valueOf(System.currentTimeMillis() / 1000),
                  GatewayWebhook.SIGNATURE_HEADER,
                  GatewayWebhook.signature(
                      gateway.getBytes(StandardCharsets.UTF_8),
                      System.currentTimeMillis() / 1000,
                      body.getBytes(StandardCharsets.UTF_8)))));
      responses.add(http.get("/api/v1/balance", key));
      responses.add(http.get("/api/v1/balance", "omo_live_" + "B".repeat(40)));
      responses.add(http.get("/api/v1/nothing", key));
      responses.add(http.send("DELETE", "/api/v1/services", key, null, Map.of()));
      responses.add(
          http.sendBytes("POST", "/api/v1/rentals", key, new byte[2 * 1024 * 1024], Map.of()));
      responses.add(
          http.send(
              "GET", "/api/v1/balance", key, null, Map.of("X-Filler", "a".repeat(64 * 1024))));
      responses.add(http.get("/api/v1/services/Ub%00er", key));
      // The SMS-Activate protocol carries the key in the query string, or in a header.
      responses.add(
          http.get("/stubs/handler_api.php?action=getNumber&service=Uber&api_key=" + key, null));
      responses.add(http.get("/stubs/handler_api.php?action=getStatus&id=1&api_key=" + key, null));
      responses.add(
          http.send(
              "GET",
              "/stubs/handler_api.php?action=getBalance",
              null,
              null,
              Map.of("X-ApiKey", key)));
      // A gateway's secret: given once, used to check its posts, never shown or stored open.
      String gatewayKey = "gw-secret-" + UUID.randomUUID();
      secrets.add(gatewayKey);
      responses.add(
          http.send(
              "POST",
              "/api/admin/gateways",
              admin,
              "{\"name\":\"phone-1\",\"kind\":\"android\",\"secret\":\"" + gatewayKey + "\"}",
              Map.of()));
      responses.add(http.send("GET", "/api/admin/gateways", admin, null, Map.of()));
      long now = System.currentTimeMillis() / 1000;
      String ping = "{\"deviceId\":\"d\",\"event\":\"system:ping\",\"id\":\"p\",\"payload\":{}}";
      responses.add(
          http.send(
              "POST",
              "/api/v1/inbound/phone-1",
              null,
              ping,
              Map.of(
                  "X-Timestamp",
                  String.valueOf(now),
                  "X-Signature",
                  GatewayWebhook.sign(
                      gatewayKey.getBytes(StandardCharsets.UTF_8),
                      (ping + now).getBytes(StandardCharsets.UTF_8)))));
      responses.add(
          http.send(
              "POST",
              "/api/v1/inbound/phone-1",
              null,
              ping,
              Map.of("X-Timestamp", String.valueOf(now), "X-Signature", gatewayKey)));
      // A webhook's secrets, shown once each: at registration and at rotation. Signing needs
      // them, so they are kept sealed; a delivery attempt (to a port nobody listens on) uses them.
      Http.Response hook =
          http.send(
              "POST",
              "/api/v1/webhooks",
              key,
              "{\"url\":\"http://127.0.0.1:9/hook\",\"events\":[\"sms.received\"]}",
              Map.of());
      assertThat(hook.status()).as(hook.text()).isEqualTo(201);
      String hookId = hook.json().get("id").asText();
      Http.Response rotated =
          http.send("POST", "/api/v1/webhooks/" + hookId + "/rotate", key, null, Map.of());
      for (Http.Response made : List.of(hook, rotated)) {
        String whsec = made.json().get("secret").asText();
        secrets.add(whsec);
        secrets.add(whsec.substring("whsec_".length()));
      }
      responses.add(http.send("GET", "/api/v1/webhooks", key, null, Map.of()));
      responses.add(http.send("POST", "/api/v1/webhooks/" + hookId + "/test", key, null, Map.of()));
      await()
          .atMost(java.time.Duration.ofSeconds(10))
          .until(
              () ->
                  http.send(
                              "GET",
                              "/api/v1/webhooks/" + hookId + "/deliveries",
                              key,
                              null,
                              Map.of())
                          .json()
                          .get("deliveries")
                          .get(0)
                          .get("attempts")
                          .asInt()
                      == 1);
      // Prepaid vouchers: each code shown once, then only its hash is kept; one is redeemed.
      Http.Response vouchers =
          http.send("POST", "/api/admin/vouchers", admin, "{\"amount\":1,\"count\":2}", Map.of());
      assertThat(vouchers.status()).as(vouchers.text()).isEqualTo(201);
      for (var code : vouchers.json().get("codes")) {
        secrets.add(code.asText());
        secrets.add(code.asText().replace("-", "").substring(3));
      }
      Http.Response redeemed =
          http.send(
              "POST",
              "/api/v1/balance/redeem",
              key,
              "{\"code\":\"" + vouchers.json().get("codes").get(0).asText() + "\"}",
              Map.of());
      assertThat(redeemed.status()).as(redeemed.text()).isEqualTo(200);
      responses.add(http.get("/healthz", null));
      responses.add(http.get("/assets/app.css", null));
      responses.add(http.get("/login", null));

      // A website sign-in: the password travels in a form, the session in a cookie.
      CookieManager cookies = new CookieManager();
      HttpClient browser = HttpClient.newBuilder().cookieHandler(cookies).build();
      String base = "http://127.0.0.1:" + node.port;
      browser.send(
          HttpRequest.newBuilder(URI.create(base + "/login")).build(),
          HttpResponse.BodyHandlers.ofString());
      String csrf = cookie(cookies, "ohmyotp_csrf");
      HttpResponse<String> signedIn =
          browser.send(
              HttpRequest.newBuilder(URI.create(base + "/login"))
                  .header("Content-Type", "application/x-www-form-urlencoded")
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          "_csrf="
                              + csrf
                              + "&email=secret%40example.com&password="
                              + URLEncoder.encode(password, StandardCharsets.UTF_8)))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(signedIn.statusCode()).isEqualTo(303);
      secrets.add(cookie(cookies, "ohmyotp_session"));

      // Two-factor sign-in: the app's key and the recovery codes are shown once, then kept sealed
      // or hashed.
      WebVisitor visitor = new WebVisitor(base);
      assertThat(visitor.signIn("secret@example.com", password).statusCode()).isEqualTo(303);
      visitor.post("/settings/two-factor/begin", WebVisitor.form("_csrf", visitor.csrf()));
      Matcher key2fa = TwoFactorTest.SECRET.matcher(visitor.get("/settings/two-factor").body());
      assertThat(key2fa.find()).isTrue();
      secrets.add(key2fa.group(1));
      HttpResponse<String> on =
          visitor.post(
              "/settings/two-factor/enable",
              WebVisitor.form(
                  "_csrf",
                  visitor.csrf(),
                  "code",
                  Totp.code(key2fa.group(1), System.currentTimeMillis() / 1000)));
      Matcher recovery = TwoFactorTest.RECOVERY.matcher(on.body());
      while (recovery.find()) {
        secrets.add(recovery.group(1));
        secrets.add(recovery.group(1).replace("-", ""));
      }
      assertThat(secrets).hasSizeGreaterThan(20);

      // A password-reset link: its token is in the mail only.
      secrets.add(PasswordResetTest.tokenMailedTo(base, smtp, "secret@example.com"));
    } finally {
      node.close();
      output = node.output();
      smtp.stop();
    }

    assertThat(output).contains("level=DEBUG").contains("rental").contains("sms delivered");
    // Plain text for log files: no terminal colour codes.
    assertThat(output).doesNotContain("\u001b[");
    for (String secret : secrets) {
      assertThat(output).as("the log holds a secret").doesNotContain(secret);
    }

    // The database file, dumped whole, holds none of them either.
    Jdbi h2 =
        Jdbi.create(
            "jdbc:h2:file:" + data.resolve("ohmyotp") + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE");
    List<String> script = h2.withHandle(h -> h.createQuery("SCRIPT").mapTo(String.class).list());
    String dump = String.join("\n", script);
    assertThat(dump).contains("argon2id").contains("api_keys");
    for (String secret : secrets) {
      assertThat(dump).as("the database holds a secret").doesNotContain(secret);
    }

    for (Http.Response r : responses) {
      assertThat(r.header("X-Content-Type-Options"))
          .as(r.status() + " " + r.text())
          .isEqualTo("nosniff");
      assertThat(r.header("X-Frame-Options")).as(r.status() + " " + r.text()).isEqualTo("DENY");
      assertThat(r.header("Referrer-Policy")).isEqualTo("no-referrer");
      assertThat(r.header("Content-Security-Policy")).contains("frame-ancestors 'none'");
      assertThat(r.header("X-Request-Id")).isNotBlank();
    }
    assertThat(responses)
        .extracting(Http.Response::status)
        .contains(200, 201, 202, 401, 404, 405, 413, 431, 400);
  }

  private static String cookie(CookieManager cookies, String name) {
    return cookies.getCookieStore().getCookies().stream()
        .filter(c -> c.getName().equals(name))
        .map(HttpCookie::getValue)
        .findFirst()
        .orElseThrow();
  }
}
