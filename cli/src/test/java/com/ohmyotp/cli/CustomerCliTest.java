package com.ohmyotp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every customer command and every failure exit code, against a real server. */
class CustomerCliTest {

  static LocalServer server;
  static final ObjectMapper JSON = new ObjectMapper();
  static final java.util.concurrent.atomic.AtomicInteger NEXT_NUMBER =
      new java.util.concurrent.atomic.AtomicInteger(2000);

  @TempDir Path home;

  @BeforeAll
  static void start() {
    server = new LocalServer();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  record Run(int exit, String out, String err) {
    JsonNode json() {
      try {
        return JSON.readTree(out);
      } catch (IOException e) {
        throw new AssertionError("not JSON: " + out + err, e);
      }
    }
  }

  Run cli(Map<String, String> env, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit =
        new Cli(
                env,
                home,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                true)
            .run(args);
    return new Run(
        exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  Run cli(String key, String... args) {
    return cli(Map.of("OHMYOTP_URL", server.url, "OHMYOTP_API_KEY", key), args);
  }

  /** A service of our own with numbers, and a customer with a balance: its key. */
  record Setup(String service, String key) {}

  static Setup setup(String balance, int numbers) {
    return setup(balance, numbers, "gateway");
  }

  static Setup setup(String balance, int numbers, String source) {
    String service = "Cli" + System.nanoTime();
    assertThat(
            server
                .admin(
                    "POST",
                    "/api/admin/services",
                    "{\"name\":\""
                        + service
                        + "\",\"category\":\"Chat\",\"price\":0.5,\"source\":\""
                        + source
                        + "\"}")
                .status())
        .isEqualTo(201);
    for (int i = 0; i < numbers; i++) {
      String phone = "+1312555" + String.format("%04d", NEXT_NUMBER.incrementAndGet());
      server.admin(
          "POST",
          "/api/admin/numbers",
          "{\"source\":\"gateway\",\"numbers\":[{\"phone_number\":\"" + phone + "\"}]}");
    }
    String key =
        server
            .admin(
                "POST",
                "/api/admin/accounts",
                "{\"email\":\"cli"
                    + System.nanoTime()
                    + "@example.com\",\"balance\":"
                    + balance
                    + "}")
            .json()
            .get("api_key")
            .asText();
    return new Setup(service, key);
  }

  @Test
  void servicesAsATableAndAsJson() {
    Setup s = setup("1", 1);
    Run table = cli(s.key(), "services", "--category", "chat");
    assertThat(table.exit()).isZero();
    assertThat(table.out()).startsWith("NAME").contains(s.service()).contains("0.50");
    Run json = cli(s.key(), "services", "--json");
    assertThat(json.exit()).isZero();
    assertThat(json.json().get("services").findValuesAsText("name")).contains(s.service());
  }

  @Test
  void rentWaitsForTheCodeWhileShowingALiveLine() throws Exception {
    Setup s = setup("2", 1);
    CompletableFuture<Run> rent =
        CompletableFuture.supplyAsync(() -> cli(s.key(), "rent", s.service(), "--wait", "30"));
    String phone = awaitActivePhone(s.key());
    server.sms(phone, "Chat", "Your code is 482913");
    Run run = rent.get(30, TimeUnit.SECONDS);
    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(run.out()).contains("rented ").contains("code 482913");
    assertThat(run.err()).contains("waiting for the code");

    Run balance = cli(s.key(), "balance", "--json");
    assertThat(balance.json().get("balance").decimalValue()).isEqualByComparingTo("1.5");
    Run history = cli(s.key(), "history", "--used", "--json");
    assertThat(history.json().get("rentals").get(0).get("last_code").asText()).isEqualTo("482913");
    Run check = cli(s.key(), "rerent-check", s.service(), phone);
    assertThat(check.exit()).isZero();
    assertThat(check.out()).contains(phone);
  }

  @Test
  void noCodeInTimeCancelsForARefundAndExitsThree() {
    Setup s = setup("1", 1);
    Run run = cli(s.key(), "rent", s.service(), "--wait", "1", "--cancel-on-timeout", "--json");
    assertThat(run.exit()).isEqualTo(Cli.TIMEOUT);
    assertThat(run.json().get("cancellation").get("refund_amount").decimalValue())
        .isEqualByComparingTo("0.5");
    assertThat(cli(s.key(), "balance", "--json").json().get("balance").decimalValue())
        .isEqualByComparingTo("1");
  }

  @Test
  void codeCancelActiveAndRerent() {
    Setup s = setup("3", 1);
    JsonNode rental = cli(s.key(), "rent", s.service(), "--json").json();
    String id = rental.get("id").asText();
    String phone = rental.get("phone_number").asText();
    assertThat(cli(s.key(), "active").out()).contains(id);
    Run code = cli(s.key(), "code", id);
    assertThat(code.exit()).isEqualTo(Cli.TIMEOUT);
    assertThat(code.out()).contains("no code yet");
    Run cancel = cli(s.key(), "cancel", id);
    assertThat(cancel.exit()).isZero();
    assertThat(cancel.out()).contains("cancelled, refunded 0.50");
    Run rerent = cli(s.key(), "rerent", phone, s.service(), "--json");
    assertThat(rerent.exit()).as(rerent.err()).isZero();
    assertThat(rerent.json().get("rerent").asBoolean()).isTrue();
    assertThat(cli(s.key(), "history", "--status", "cancelled").out()).contains(phone);
  }

  @Test
  void aVoucherIsRedeemedOnce() {
    Setup s = setup("0", 0);
    String code =
        server
            .admin("POST", "/api/admin/vouchers", "{\"amount\":5,\"count\":1}")
            .json()
            .get("codes")
            .get(0)
            .asText();
    Run redeemed = cli(s.key(), "redeem", code);
    assertThat(redeemed.exit()).as(redeemed.err()).isZero();
    assertThat(redeemed.out()).contains("added 5.00, balance 5.00");
    Run again = cli(s.key(), "redeem", code);
    assertThat(again.exit()).isEqualTo(Cli.FAILED);
    assertThat(again.err()).contains("voucher_used");
  }

  @Test
  void theKeyAndUrlComeFromTheConfigFile() throws IOException {
    Setup s = setup("4", 0);
    Path config = home.resolve(".config/ohmyotp/config");
    Files.createDirectories(config.getParent());
    Files.writeString(config, "url=" + server.url + "\napi_key=" + s.key() + "\n");
    Run run = cli(Map.of(), "balance");
    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(run.out()).contains("balance 4.00");
  }

  @Test
  void everyFailureHasItsExitCode() {
    Setup broke = setup("0.1", 1);
    Run poor = cli(broke.key(), "rent", broke.service());
    assertThat(poor.exit()).isEqualTo(Cli.NO_BALANCE);
    assertThat(poor.err()).contains("insufficient_balance").contains("request ");

    // Nothing in the simulator's pool: this server starts without the demo's numbers.
    Setup empty = setup("5", 0, "simulator");
    assertThat(cli(empty.key(), "rent", empty.service()).exit()).isEqualTo(Cli.NO_NUMBERS);
    assertThat(cli("omo_live_wrong", "balance").exit()).isEqualTo(Cli.AUTH);
    assertThat(cli(Map.of("OHMYOTP_URL", server.url), "balance").exit()).isEqualTo(Cli.AUTH);
    assertThat(cli(empty.key(), "cancel", "no-such-rental").exit()).isEqualTo(Cli.FAILED);

    Map<String, String> away = new HashMap<>();
    away.put("OHMYOTP_URL", "http://127.0.0.1:9");
    away.put("OHMYOTP_API_KEY", "omo_live_x");
    Run network = cli(away, "balance");
    assertThat(network.exit()).isEqualTo(Cli.NETWORK);
    assertThat(network.err()).contains("http://127.0.0.1:9");

    Run zero = cli(empty.key(), "rent", empty.service(), "--wait", "0");
    assertThat(zero.exit()).isEqualTo(Cli.USAGE);
    assertThat(zero.err()).contains("--wait must be positive");
    assertThat(cli(empty.key(), "rent").exit()).isEqualTo(Cli.USAGE);
  }

  @Test
  void everySubcommandHasHelpWithoutAKey() {
    for (String sub :
        new String[] {
          "services",
          "balance",
          "rent",
          "code",
          "cancel",
          "active",
          "history",
          "rerent",
          "rerent-check"
        }) {
      Run help = cli(Map.of(), sub, "--help");
      assertThat(help.exit()).as(sub).isZero();
      assertThat(help.out()).as(sub).contains("Usage: ohmyotp-cli " + sub);
    }
    assertThat(cli(Map.of(), "--help").out()).contains("Exit codes:").contains("7");
  }

  private static String awaitActivePhone(String key) {
    return org.awaitility.Awaitility.await("the command's rental")
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> server.send("GET", "/api/v1/rentals/active", key, null).json().get("rentals"),
            rentals -> rentals.size() > 0)
        .get(0)
        .get("phone_e164")
        .asText();
  }
}
