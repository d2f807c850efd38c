package com.ohmyotp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetupTest;
import com.ohmyotp.inventory.PhoneNumbers;
import com.ohmyotp.support.Browser;
import com.ohmyotp.support.FakeStripe;
import com.ohmyotp.support.Http;
import com.ohmyotp.support.TestServer;
import com.ohmyotp.support.Totp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;

/**
 * The website in a real headless Chromium against the real server: the same account through the
 * page and through the API, codes arriving without a reload, hostile SMS text shown as text.
 */
class WebsiteTest {

  static TestServer server;
  static FakeStripe stripe;
  static GreenMail smtp;
  static String uber;
  static String lyft;
  Browser browser;
  String email;

  @BeforeAll
  static void start() {
    stripe = new FakeStripe(() -> server.clock.epochSecond());
    smtp = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
    smtp.start();
    Map<String, String> settings = new HashMap<>(stripe.settings());
    settings.putAll(PasswordResetTest.mailSettings(smtp));
    // Webhooks added in the page go to a receiver in this test.
    settings.put("OHMYOTP_WEBHOOK_ALLOW_HOSTS", "127.0.0.1");
    server = TestServer.start(settings);
    stripe.deliverTo(server.base + "/api/payments/stripe");
    uber = server.service("Uber", "0.40", "gateway");
    server.numbers("gateway", 30);
    // A service whose numbers are in two countries, apart from the others' numbers.
    lyft = server.service("Lyft", "0.55", "simulator");
    server.numbers("simulator", 2);
    Http.Response uk =
        server.admin(
            "POST",
            "/api/admin/numbers",
            "{\"source\":\"simulator\",\"numbers\":[{\"phone_number\":\"+447400123456\"},"
                + "{\"phone_number\":\"+447400123457\"}]}");
    assertThat(uk.status()).as(uk.text()).isEqualTo(201);
  }

  @AfterAll
  static void stop() {
    server.close();
    stripe.close();
    smtp.stop();
  }

  @BeforeEach
  void openBrowser() {
    browser = Browser.start();
  }

  @AfterEach
  void closeBrowser() {
    browser.close();
  }

  private void go(String path) {
    browser.driver.get(server.base + path);
  }

  private WebElement find(String css) {
    return browser.driver.findElement(By.cssSelector(css));
  }

  /** Signs up in the page and has the operator deposit {@code amount}; returns the account id. */
  private long signUpWithBalance(String amount) {
    email = "web" + System.nanoTime() + "@example.com";
    go("/signup");
    find("#email").sendKeys(email);
    find("#password").sendKeys("correct horse battery");
    find("#password_again").sendKeys("correct horse battery");
    find("form[action='/signup'] button").click();
    browser.await(10, d -> d.getCurrentUrl().endsWith("/dashboard"));
    long id =
        server
            .app
            .database()
            .read(
                h ->
                    h.createQuery("SELECT id FROM accounts WHERE email_key = :e")
                        .bind("e", email)
                        .mapTo(Long.class)
                        .one());
    Http.Response deposit =
        server.admin(
            "POST", "/api/admin/accounts/" + id + "/deposits", "{\"amount\":" + amount + "}");
    assertThat(deposit.status()).as(deposit.text()).isEqualTo(201);
    return id;
  }

  /** Creates an API key in Settings and reads it off the page, where it is shown once. */
  private String createKeyInSettings(String name) {
    go("/settings/keys");
    find("#name").sendKeys(name);
    find("form[action='/settings/keys'] button").click();
    return browser.await(10, d -> d.findElement(By.id("new-key")).getText());
  }

  private JsonNode rentThroughTheApi(String key) {
    Http.Response r = server.http.post("/api/v1/rentals", key, "{\"service_id\":\"" + uber + "\"}");
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    return r.json();
  }

  @Test
  void signUpCreateAKeyRentThroughTheApiSeeTheCodeArriveLiveAndCancelForARefund() throws Exception {
    signUpWithBalance("5");
    String key = createKeyInSettings("laptop");
    assertThat(key).startsWith("omo_live_");
    assertThat(find("table").getText()).contains("laptop").contains(key.substring(0, 13));

    JsonNode withCode = rentThroughTheApi(key);
    JsonNode toCancel = rentThroughTheApi(key);
    go("/dashboard");
    String page = find("#active").getAttribute("innerHTML");
    assertThat(page)
        .contains("data-copy=\"" + withCode.get("phone_number").asText() + "\"")
        .contains("data-copy=\"" + toCancel.get("phone_number").asText() + "\"");
    assertThat(find("#balance").getText()).isEqualTo("4.20");

    // Marks this page load: a reload would lose it.
    browser.driver.executeScript("window.__sameLoad = 42;");
    String text = "Your Uber code is 739201. Never share this code.";
    assertThat(server.inboundSms(withCode.get("phone_number").asText(), "Uber", text).status())
        .isEqualTo(202);
    String shown =
        browser.await(
            15,
            d ->
                d
                    .findElements(
                        By.cssSelector("#rental-" + withCode.get("id").asText() + " .code"))
                    .stream()
                    .map(WebElement::getText)
                    .filter(t -> !t.isEmpty())
                    .findFirst()
                    .orElse(null));
    assertThat(shown).isEqualTo("739201");
    assertThat(browser.driver.executeScript("return window.__sameLoad;")).isEqualTo(42L);
    assertThat(find("#rental-" + withCode.get("id").asText() + " .message").getText())
        .contains(text);
    screenshot("dashboard");

    find("#rental-" + toCancel.get("id").asText() + " form.cancel button").click();
    browser.await(10, d -> d.findElement(By.cssSelector(".notice")).getText().contains("refunded"));
    assertThat(find("#balance").getText()).isEqualTo("4.60");
    assertThat(
            server
                .http
                .get("/api/v1/rentals/" + toCancel.get("id").asText(), key)
                .json()
                .get("status")
                .asText())
        .isEqualTo("cancelled");
    assertThat(server.http.get("/api/v1/balance", key).json().get("balance").decimalValue())
        .isEqualByComparingTo("4.6");

    go("/transactions");
    assertThat(find("table").getText())
        .contains("rental charge")
        .contains("refund")
        .contains("deposit")
        .contains("+0.40");
  }

  @Test
  void aRentalMadeInThePageIsSeenThroughTheApi() {
    signUpWithBalance("2");
    String key = createKeyInSettings("api");
    go("/dashboard");
    find("#service").sendKeys(uber);
    find("form.rent button").click();
    browser.await(
        10, d -> d.findElement(By.cssSelector(".notice")).getText().contains("Number rented"));
    // Shown with its country code; the copy buttons hold it as typed, without and with it.
    List<WebElement> copies =
        browser.driver.findElements(By.cssSelector("#active .rental-head button.copy"));
    String phone = copies.get(0).getAttribute("data-copy");

    JsonNode active = server.http.get("/api/v1/rentals/active", key).json();
    assertThat(active.get("total").asInt()).isEqualTo(1);
    assertThat(active.get("rentals").get(0).get("phone_number").asText()).isEqualTo(phone);
    String e164 = active.get("rentals").get(0).get("phone_e164").asText();
    assertThat(copies.get(1).getAttribute("data-copy")).isEqualTo(e164);
    assertThat(copies.get(1).getText()).isEqualTo("Copy with +1");
    assertThat(find("#active .number").getText())
        .isEqualTo(
            "+1 " + phone.substring(0, 3) + "-" + phone.substring(3, 6) + "-" + phone.substring(6));
    assertThat(active.get("rentals").get(0).get("service_id").asText()).isEqualTo(uber);
    assertThat(server.http.get("/api/v1/balance", key).json().get("balance").decimalValue())
        .isEqualByComparingTo("1.6");

    go("/history");
    assertThat(find("table").getAttribute("innerHTML")).contains("data-copy=\"" + phone + "\"");
    assertThat(find("table").getText()).contains("active");
  }

  @Test
  void historyFiltersAndReRentsANumberUsedBefore() {
    signUpWithBalance("3");
    String key = createKeyInSettings("history");
    JsonNode first = rentThroughTheApi(key);
    JsonNode other = rentThroughTheApi(key);
    assertThat(
            server
                .http
                .post("/api/v1/rentals/" + first.get("id").asText() + "/cancel", key, null)
                .status())
        .isEqualTo(200);

    go("/history");
    new org.openqa.selenium.support.ui.Select(find("#status")).selectByValue("cancelled");
    find("form.filters button").click();
    browser.await(10, d -> d.getCurrentUrl().contains("status=cancelled"));
    String table = find("table").getAttribute("innerHTML");
    assertThat(table)
        .contains("data-copy=\"" + first.get("phone_number").asText() + "\"")
        .doesNotContain("data-copy=\"" + other.get("phone_number").asText() + "\"");
    // Refunded in full, and said so.
    assertThat(find("table").getText()).contains("refunded $0.40");

    find("form[action='/dashboard/rerent'] button").click();
    // Asked first, with what it costs now.
    org.openqa.selenium.Alert confirm =
        browser.await(10, org.openqa.selenium.support.ui.ExpectedConditions.alertIsPresent());
    assertThat(confirm.getText())
        .isEqualTo(
            "Rent "
                + PhoneNumbers.written(first.get("phone_e164").asText()).international()
                + " again for "
                + uber
                + ", for $0.40? Your balance is $2.60.");
    confirm.accept();
    browser.await(
        10, d -> d.findElement(By.cssSelector(".notice")).getText().contains("Number rented"));
    // Said once, with nothing added to the address: a reload shows no notice and posts nothing.
    assertThat(browser.driver.getCurrentUrl()).isEqualTo(server.base + "/dashboard");
    browser.driver.navigate().refresh();
    assertThat(browser.driver.findElements(By.cssSelector(".notice"))).isEmpty();
    JsonNode active = server.http.get("/api/v1/rentals/active", key).json();
    assertThat(active.get("total").asInt()).isEqualTo(2);
    assertThat(active.findValuesAsText("phone_number"))
        .contains(first.get("phone_number").asText());
    assertThat(
            active.get("rentals").findValues("rerent").stream().filter(JsonNode::asBoolean).count())
        .isEqualTo(1);
  }

  @Test
  void smsTextIsShownAsTextAndRunsNothing() {
    signUpWithBalance("1");
    String key = createKeyInSettings("xss");
    JsonNode rental = rentThroughTheApi(key);
    go("/dashboard");
    String hostile =
        "<script>window.__pwned = 1</script><img src=x onerror=\"window.__pwned = 2\"> Code 4821";
    assertThat(
            server.inboundSms(rental.get("phone_number").asText(), "<b>Evil</b>", hostile).status())
        .isEqualTo(202);

    String selector = "#rental-" + rental.get("id").asText() + " .message .text";
    String text =
        browser.await(
            15,
            d ->
                d.findElements(By.cssSelector(selector)).stream()
                    .map(WebElement::getText)
                    .findFirst()
                    .orElse(null));
    assertThat(text).isEqualTo(hostile);
    assertThat(find("#rental-" + rental.get("id").asText() + " .sender").getText())
        .isEqualTo("<b>Evil</b>:");
    assertThat(
            browser.driver.findElements(By.cssSelector("#active img, #active script, #active b")))
        .isEmpty();
    // And after a full load, not only after an htmx swap.
    browser.driver.navigate().refresh();
    assertThat(find(selector).getText()).isEqualTo(hostile);
    assertThat(browser.driver.executeScript("return window.__pwned === undefined;"))
        .isEqualTo(true);
    go("/history");
    assertThat(find("table").getText()).contains("<script>");
    assertThat(browser.driver.executeScript("return window.__pwned === undefined;"))
        .isEqualTo(true);
  }

  @Test
  void aKeyRevokedInSettingsAnswers401AtOnce() {
    signUpWithBalance("1");
    String key = createKeyInSettings("temporary");
    assertThat(server.http.get("/api/v1/balance", key).status()).isEqualTo(200);
    go("/settings/keys");
    find("button[aria-label='Revoke temporary']").click();
    org.openqa.selenium.Alert confirm =
        browser.await(10, org.openqa.selenium.support.ui.ExpectedConditions.alertIsPresent());
    assertThat(confirm.getText()).startsWith("Revoke temporary?");
    confirm.dismiss();
    assertThat(server.http.get("/api/v1/balance", key).status()).isEqualTo(200);
    find("button[aria-label='Revoke temporary']").click();
    browser.await(10, org.openqa.selenium.support.ui.ExpectedConditions.alertIsPresent()).accept();
    browser.await(
        10, d -> d.findElement(By.cssSelector("tr.revoked")).getText().contains("revoked"));
    assertThat(server.http.get("/api/v1/balance", key).status()).isEqualTo(401);
  }

  @Test
  void aWebhookAddedInSettingsTakesATestEventSignedWithTheSecretShownOnce() throws Exception {
    java.util.concurrent.BlockingQueue<String[]> received =
        new java.util.concurrent.LinkedBlockingQueue<>();
    com.sun.net.httpserver.HttpServer receiver =
        com.sun.net.httpserver.HttpServer.create(
            new java.net.InetSocketAddress("127.0.0.1", 0), 10);
    receiver.createContext(
        "/",
        exchange -> {
          String body =
              new String(
                  exchange.getRequestBody().readAllBytes(),
                  java.nio.charset.StandardCharsets.UTF_8);
          var h = exchange.getRequestHeaders();
          received.add(
              new String[] {
                h.getFirst("webhook-id"),
                h.getFirst("webhook-timestamp"),
                h.getFirst("webhook-signature"),
                body
              });
          exchange.sendResponseHeaders(204, -1);
          exchange.close();
        });
    receiver.start();
    try {
      signUpWithBalance("1");
      go("/settings/webhooks");
      String url = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/otp";
      find("#url").sendKeys(url);
      find("form[action='/settings/webhooks'] button[type=submit]").click();
      String secret = browser.await(10, d -> d.findElement(By.id("new-secret")).getText());
      assertThat(secret).startsWith("whsec_");

      go("/settings/webhooks");
      assertThat(browser.driver.findElements(By.id("new-secret"))).isEmpty();
      assertThat(find("section.webhook h2").getText()).isEqualTo(url);
      find("form[action$='/test'] button").click();
      String[] test = received.poll(10, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(test).as("the test event arrives").isNotNull();
      assertThat(test[3]).contains("\"type\":\"webhook.test\"");
      javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
      mac.init(
          new javax.crypto.spec.SecretKeySpec(
              java.util.Base64.getDecoder().decode(secret.substring("whsec_".length())),
              "HmacSHA256"));
      String expected =
          "v1,"
              + java.util.Base64.getEncoder()
                  .encodeToString(
                      mac.doFinal(
                          (test[0] + "." + test[1] + "." + test[3])
                              .getBytes(java.nio.charset.StandardCharsets.UTF_8)));
      assertThat(test[2]).isEqualTo(expected);
      browser.await(
          10,
          d -> {
            d.navigate().refresh();
            return d.findElement(By.cssSelector("tr.delivery")).getText().contains("delivered");
          });
      assertThat(find("tr.delivery").getText()).contains("webhook.test").contains("answered 204");
    } finally {
      receiver.stop(0);
    }
  }

  @Test
  void thePasswordIsChangedOnTheAccountPage() {
    signUpWithBalance("1");
    find("nav a[href='/settings/account']").click();
    browser.await(10, d -> d.getCurrentUrl().endsWith("/settings/account"));
    find("#current").sendKeys("correct horse battery");
    find("#new-password").sendKeys("a new long password");
    find("#new-password-again").sendKeys("a new long password");
    find("form[action='/settings/password'] button").click();
    browser.await(
        10,
        d ->
            d.findElements(By.cssSelector("p.notice")).stream()
                .anyMatch(e -> e.getText().startsWith("Password changed")));
    assertThat(browser.driver.getCurrentUrl()).isEqualTo(server.base + "/settings/account");
  }

  @Test
  void aCardTopUpPaidOnStripesPageIsOnTheBalanceWhenTheBrowserComesBack() {
    signUpWithBalance("1");
    find("nav a[href='/top-up']").click();
    browser.await(10, d -> d.getCurrentUrl().endsWith("/top-up"));
    find("#card-form input[name=amount][value='10']").click();
    find("#card-form button").click();
    // On Stripe's page, for the amount chosen.
    browser.await(10, d -> d.getCurrentUrl().startsWith(stripe.base() + "/pay/cs_test_"));
    assertThat(find("#amount").getText()).isEqualTo("10.00");
    find("#pay").click();
    browser.await(
        10,
        d ->
            d.findElements(By.cssSelector("p.notice")).stream()
                .anyMatch(e -> e.getText().equals("Card payment received: $10.00 added.")));
    assertThat(browser.driver.getCurrentUrl()).isEqualTo(server.base + "/top-up");
    assertThat(find("#top-up-balance").getText()).isEqualTo("11.00");
    assertThat(find("#balance").getText()).isEqualTo("11.00");
  }

  @Test
  void aForgottenPasswordIsResetFromTheLinkInTheMail() {
    signUpWithBalance("1");
    find("form[action='/logout'] button").click();
    browser.await(10, d -> d.getCurrentUrl().endsWith("/login"));
    find("a[href='/forgot-password']").click();
    browser.await(10, d -> d.getCurrentUrl().endsWith("/forgot-password"));
    find("#email").sendKeys(email);
    find("form[action='/forgot-password'] button").click();
    browser.await(
        10,
        d ->
            d.findElements(By.cssSelector("p.notice")).stream()
                .anyMatch(e -> e.getText().startsWith("If an account uses that address")));
    var mail =
        await()
            .atMost(Duration.ofSeconds(20))
            .until(() -> PasswordResetTest.mailTo(smtp, email), m -> !m.isEmpty());
    Matcher link = PasswordResetTest.LINK.matcher(GreenMailUtil.getBody(mail.get(0)));
    assertThat(link.find()).isTrue();
    // The mail names the operator's public address; this server is that address's stand-in.
    go("/reset-password?token=" + link.group(1));
    find("#password").sendKeys("a password from the mail");
    find("#password_again").sendKeys("a password from the mail");
    find("form[action='/reset-password'] button").click();
    browser.await(
        10,
        d ->
            d.findElements(By.cssSelector("p.notice")).stream()
                .anyMatch(e -> e.getText().startsWith("Your password is changed")));
    find("#email").sendKeys(email);
    find("#password").sendKeys("a password from the mail");
    find("form[action='/login'] button").click();
    browser.await(10, d -> d.getCurrentUrl().endsWith("/dashboard"));
  }

  @Test
  void twoFactorSignInIsSetUpFromTheQrPageAndAsksForTheAppsCode() {
    signUpWithBalance("1");
    go("/settings/account");
    find("a[href='/settings/two-factor']").click();
    find("form[action='/settings/two-factor/begin'] button").click();
    browser.await(10, d -> !d.findElements(By.cssSelector(".qr svg")).isEmpty());
    String secret = find("#totp-secret").getText();
    find("#enable-code").sendKeys(Totp.code(secret, server.clock.epochSecond()));
    find("form[action='/settings/two-factor/enable'] button").click();
    browser.await(10, d -> d.findElements(By.cssSelector("#recovery-codes li")).size() == 10);

    find("form[action='/logout'] button").click();
    browser.await(10, d -> d.getCurrentUrl().endsWith("/login"));
    find("#email").sendKeys(email);
    find("#password").sendKeys("correct horse battery");
    find("form[action='/login'] button").click();
    browser.await(10, d -> d.getCurrentUrl().endsWith("/login/code"));
    server.clock.advance(Duration.ofSeconds(30));
    find("#code").sendKeys(Totp.code(secret, server.clock.epochSecond()));
    find("form[action='/login/code'] button").click();
    browser.await(10, d -> d.getCurrentUrl().endsWith("/dashboard"));
  }

  @Test
  void aNumberOfTheCountryChosenIsRentedFromTheServicesRowAfterThePriceIsShown() {
    signUpWithBalance("1");
    String key = createKeyInSettings("country");
    go("/dashboard");
    WebElement row = find("tr[data-service='" + lyft + "']");
    new org.openqa.selenium.support.ui.Select(row.findElement(By.name("country")))
        .selectByVisibleText("United Kingdom · $0.55 (2)");
    row.findElement(By.cssSelector("button")).click();
    org.openqa.selenium.Alert confirm =
        browser.await(10, org.openqa.selenium.support.ui.ExpectedConditions.alertIsPresent());
    assertThat(confirm.getText())
        .isEqualTo("Rent a number for " + lyft + " for $0.55? Your balance is $1.00.");
    confirm.accept();
    browser.await(
        10, d -> d.findElement(By.cssSelector(".notice")).getText().contains("Number rented"));
    assertThat(find("#active .number").getText()).startsWith("+44 7400 12345");
    JsonNode rental = server.http.get("/api/v1/rentals/active", key).json().get("rentals").get(0);
    assertThat(rental.get("country").asText()).isEqualTo("GB");
    assertThat(rental.get("service_id").asText()).isEqualTo(lyft);
    assertThat(find("#balance").getText()).isEqualTo("0.45");
    // Below the price, the row offers a top-up instead of a rent button.
    WebElement lyftRow = find("tr[data-service='" + lyft + "']");
    assertThat(lyftRow.findElements(By.cssSelector("button"))).isEmpty();
    assertThat(lyftRow.findElement(By.cssSelector("a[href='/top-up']")).getText())
        .isEqualTo("Top up to rent");
  }

  @Test
  void everySmsOfARentalIsListedNewestFirstWithTimesInTheBrowsersZone() {
    signUpWithBalance("1");
    String key = createKeyInSettings("zone");
    browser.driver.executeCdpCommand(
        "Emulation.setTimezoneOverride", Map.of("timezoneId", "Asia/Tokyo"));
    JsonNode rental = rentThroughTheApi(key);
    String phone = rental.get("phone_number").asText();
    server.inboundSms(phone, "Uber", "Your Uber code is 111111.");
    server.clock.advance(Duration.ofMinutes(2));
    server.inboundSms(phone, "Uber", "Your Uber code is 222222.");
    go("/dashboard");
    List<WebElement> codes =
        browser.driver.findElements(
            By.cssSelector("#rental-" + rental.get("id").asText() + " .code"));
    assertThat(codes).extracting(WebElement::getText).containsExactly("222222", "111111");

    WebElement time = find("#rental-" + rental.get("id").asText() + " time");
    java.time.ZonedDateTime tokyo =
        java.time.Instant.parse(time.getAttribute("datetime"))
            .atZone(java.time.ZoneId.of("Asia/Tokyo"));
    String minutes = String.format(":%02d", tokyo.getMinute());
    assertThat(time.getText())
        .doesNotContain("UTC")
        .containsAnyOf(
            String.format("%02d", tokyo.getHour()) + minutes,
            String.format("%02d", (tokyo.getHour() + 11) % 12 + 1) + minutes,
            (tokyo.getHour() + 11) % 12 + 1 + minutes);
    assertThat(time.getAttribute("title")).endsWith("UTC");
  }

  @Test
  void atPhoneWidthTheHistoryAndTransactionsNeedNoSidewaysScrolling() {
    signUpWithBalance("3");
    String key = createKeyInSettings("phone");
    for (int i = 0; i < 3; i++) {
      JsonNode rental = rentThroughTheApi(key);
      server.inboundSms(
          rental.get("phone_number").asText(),
          "Uber",
          "Your Uber verification code is 48213"
              + i
              + ". It expires in 10 minutes; never share"
              + " it with anyone, including people who say they work for Uber."
              + " https://uber.com/security/a-long-link-that-should-wrap-rather-than-widen");
    }
    browser.driver.manage().window().setSize(new org.openqa.selenium.Dimension(390, 844));
    for (String path : List.of("/history", "/transactions", "/dashboard", "/top-up")) {
      go(path);
      Long viewport =
          (Long) browser.driver.executeScript("return document.documentElement.clientWidth;");
      Long page =
          (Long) browser.driver.executeScript("return document.documentElement.scrollWidth;");
      assertThat(page).as(path + " scrolls sideways").isLessThanOrEqualTo(viewport);
      Double widest =
          ((Number)
                  browser.driver.executeScript(
                      "return Math.max(...[...document.querySelectorAll('main *')]"
                          + ".map(e => e.getBoundingClientRect().right));"))
              .doubleValue();
      Object offenders =
          browser.driver.executeScript(
              "return [...document.querySelectorAll('main *')]"
                  + ".filter(e => e.getBoundingClientRect().right"
                  + " > document.documentElement.clientWidth)"
                  + ".slice(0, 5).map(e => e.tagName + '.' + e.className).join(', ');");
      assertThat(widest)
          .as(path + ": reaching past the screen: " + offenders)
          .isLessThanOrEqualTo(viewport + 0.5);
    }
    // On the phone each rental is a card of its own, its cells labelled.
    go("/history");
    assertThat(find("table.cards thead").isDisplayed()).isFalse();
    assertThat(find("table.cards td[data-label='Service']").getCssValue("display"))
        .isEqualTo("flex");
  }

  @Test
  void theHistoryAndTheTransactionsDownloadAsCsv() throws Exception {
    signUpWithBalance("2");
    String key = createKeyInSettings("csv");
    JsonNode rental = rentThroughTheApi(key);
    server.inboundSms(rental.get("phone_number").asText(), "Uber", "=HYPERLINK(\"x\") code 5521");
    go("/history");
    String href = find("a[href^='/history.csv']").getAttribute("href");
    String cookie = browser.driver.manage().getCookieNamed("ohmyotp_session").getValue();
    java.net.http.HttpResponse<String> csv =
        java.net.http.HttpClient.newHttpClient()
            .send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(href))
                    .header("Cookie", "ohmyotp_session=" + cookie)
                    .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(csv.statusCode()).isEqualTo(200);
    assertThat(csv.headers().firstValue("Content-Type")).contains("text/csv; charset=utf-8");
    assertThat(csv.headers().firstValue("Content-Disposition"))
        .contains("attachment; filename=\"ohmyotp-history.csv\"");
    List<String> lines = csv.body().lines().toList();
    assertThat(lines.get(0))
        .isEqualTo(
            "rental_id,rented_at,service,phone_number,country,status,cost,refund,sms_count,"
                + "last_code,last_sms");
    assertThat(lines).hasSize(2);
    assertThat(lines.get(1))
        .startsWith(rental.get("id").asText() + ",")
        .contains("," + rental.get("phone_e164").asText() + ",US,completed,0.40,,1,5521,")
        // A text that starts like a formula opens as text.
        .endsWith(",\"'=HYPERLINK(\"\"x\"\") code 5521\"");

    go("/transactions");
    String tx = find("a[href='/transactions.csv']").getAttribute("href");
    java.net.http.HttpResponse<String> txCsv =
        java.net.http.HttpClient.newHttpClient()
            .send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(tx))
                    .header("Cookie", "ohmyotp_session=" + cookie)
                    .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
    List<String> rows = txCsv.body().lines().toList();
    assertThat(rows.get(0)).isEqualTo("id,created_at,type,amount,service,rental_id,note");
    assertThat(rows).hasSize(3);
    assertThat(rows.get(1)).contains(",rental_charge,-0.40,").contains(rental.get("id").asText());
    assertThat(rows.get(2)).contains(",deposit,2.00,");
  }

  @Test
  void aVoucherRedeemedOnceAddsItsMoneyAndTwiceIsRefused() {
    signUpWithBalance("1");
    String code = server.voucher("5");
    find("nav a[href='/top-up']").click();
    browser.await(10, d -> d.getCurrentUrl().endsWith("/top-up"));
    find("input[name=code]").sendKeys(code);
    find("form[action='/top-up/voucher'] button").click();
    browser.await(
        10,
        d ->
            d.findElements(By.cssSelector("p.notice")).stream()
                .anyMatch(e -> e.getText().contains("$5.00 added")));
    // Redirected after the post: nothing in the address, and a reload posts nothing again.
    assertThat(browser.driver.getCurrentUrl()).isEqualTo(server.base + "/top-up");
    assertThat(find("#top-up-balance").getText()).isEqualTo("6.00");
    browser.driver.navigate().refresh();
    assertThat(browser.driver.findElements(By.cssSelector("p.notice"))).isEmpty();
    assertThat(find("#top-up-balance").getText()).isEqualTo("6.00");

    find("input[name=code]").sendKeys(code);
    find("form[action='/top-up/voucher'] button").click();
    browser.await(
        10,
        d ->
            d.findElements(By.cssSelector("p.alert")).stream()
                .anyMatch(e -> e.getText().contains("redeemed already")));
    assertThat(find("#top-up-balance").getText()).isEqualTo("6.00");
    go("/transactions");
    assertThat(find("table").getText()).contains("voucher …" + code.substring(code.length() - 4));
  }

  @Test
  void theDocsArePublicBuiltFromTheDocumentWithThisServersAddress() {
    // Nobody signed in: a reader sees the docs before signing up.
    browser.driver.manage().deleteAllCookies();
    go("/docs");
    assertThat(browser.driver.getCurrentUrl()).endsWith("/docs");
    String docs = find("article").getText();
    assertThat(docs)
        .contains("curl " + server.base + "/api/v1/services")
        .contains("Use your existing SMS-Activate client")
        .contains("Codes pushed, not polled")
        .contains(server.base + "/api/v1/events")
        .contains(server.base + "/stubs/handler_api.php?api_key=$API_KEY&action=getNumber")
        .contains(server.base + "/api/v1/openapi.json")
        .doesNotContain("https://ohmyotp.com");
    // One heading per operation of the document, each in the table of contents.
    List<WebElement> operations = browser.driver.findElements(By.cssSelector("h3.endpoint"));
    assertThat(operations.size()).isGreaterThanOrEqualTo(25);
    assertThat(browser.driver.findElements(By.cssSelector("nav.toc a[href^='#']")).size())
        .isGreaterThan(operations.size());
    List<String> methods =
        browser.driver.findElements(By.cssSelector("h3.endpoint .method")).stream()
            .map(WebElement::getText)
            .distinct()
            .toList();
    assertThat(methods).contains("GET", "POST", "DELETE");
    // The error table is a table: one row per status, 502 among them and not a heading.
    List<WebElement> rows = browser.driver.findElements(By.cssSelector("table.errors tbody tr"));
    assertThat(rows).hasSizeGreaterThanOrEqualTo(9);
    assertThat(rows.get(rows.size() - 2).getText()).startsWith("502").contains("upstream_error");
    assertThat(browser.driver.findElements(By.xpath("//h2[contains(., '502')]"))).isEmpty();
    // Every example has a copy button holding its text.
    List<WebElement> copies = browser.driver.findElements(By.cssSelector(".docs button.copy"));
    assertThat(copies).hasSameSizeAs(browser.driver.findElements(By.cssSelector(".docs pre")));
    assertThat(copies.get(0).getAttribute("data-copy")).contains("export API_KEY=");

    // The guides are pages too, with this server's address in their examples.
    find("nav.toc a[href='/docs/guides/push']").click();
    browser.await(10, d -> d.getCurrentUrl().endsWith("/docs/guides/push"));
    assertThat(find("article h1").getText()).isEqualTo("Codes pushed, not polled");
    assertThat(find("article").getText())
        .contains(server.base + "/api/v1/")
        .doesNotContain("http://localhost:8080");
    assertThat(browser.driver.findElements(By.cssSelector("nav.toc a[href^='/docs/guides/']")))
        .hasSize(6);
  }

  @Test
  void signingOutEndsTheSession() {
    signUpWithBalance("1");
    find("form[action='/logout'] button").click();
    browser.await(10, d -> d.getCurrentUrl().endsWith("/login"));
    go("/dashboard");
    assertThat(browser.driver.getCurrentUrl()).endsWith("/login");
    find("#email").sendKeys(email);
    find("#password").sendKeys("correct horse battery");
    find("form[action='/login'] button").click();
    browser.await(10, d -> d.getCurrentUrl().endsWith("/dashboard"));
  }

  /** Saves a screenshot when -Dohmyotp.screenshots=<dir> asks for one (for the README). */
  private void screenshot(String name) throws Exception {
    String dir = System.getProperty("ohmyotp.screenshots");
    if (dir != null) {
      Files.createDirectories(Path.of(dir));
      Files.write(Path.of(dir, name + ".png"), browser.driver.getScreenshotAs(OutputType.BYTES));
    }
  }
}
