package com.ohmyotp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The operator's commands and their exit codes, against a real server. */
class AdminCliTest {

  static LocalServer server;

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
        return new ObjectMapper().readTree(out);
      } catch (IOException e) {
        throw new AssertionError("not JSON: " + out + err, e);
      }
    }
  }

  static Run admin(String... args) {
    List<String> all =
        new ArrayList<>(List.of("--url", server.url, "--token", LocalServer.ADMIN_TOKEN));
    all.addAll(List.of(args));
    return run(all.toArray(String[]::new));
  }

  static Run run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Admin admin = new Admin();
    admin.out = new PrintStream(out, true, StandardCharsets.UTF_8);
    admin.err = new PrintStream(err, true, StandardCharsets.UTF_8);
    int exit = admin.run(args);
    return new Run(
        exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void anAccountFromCreationToDisabled() {
    String email = "op" + System.nanoTime() + "@example.com";
    Run created = admin("--json", "accounts", "create", email, "--balance", "2");
    assertThat(created.exit()).as(created.err()).isZero();
    String key = created.json().get("api_key").asText();
    long id = created.json().get("id").asLong();

    Run deposit = admin("accounts", "deposit", email, "3.25", "--note", "bank transfer");
    assertThat(deposit.exit()).as(deposit.err()).isZero();
    assertThat(deposit.out()).contains("balance: 5.25");

    Run shown = admin("--json", "accounts", "show", String.valueOf(id));
    assertThat(shown.json().get("balance").decimalValue()).isEqualByComparingTo("5.25");
    assertThat(shown.json().get("active_keys").asInt()).isEqualTo(1);
    assertThat(shown.json().get("disabled_at").isNull()).isTrue();
    assertThat(shown.json().get("two_factor").asBoolean()).isFalse();
    Run off = admin("--json", "accounts", "two-factor-off", email);
    assertThat(off.exit()).as(off.err()).isZero();
    assertThat(off.json().get("two_factor").asBoolean()).isFalse();

    Run reset = admin("--json", "accounts", "reset-password", email);
    assertThat(reset.exit()).isZero();
    assertThat(reset.json().get("password").asText()).hasSize(16);
    assertThat(admin("accounts", "reset-password", email, "--password", "short").exit())
        .isEqualTo(Admin.INVALID);

    assertThat(server.send("GET", "/api/v1/balance", key, null).status()).isEqualTo(200);
    Run disabled = admin("--json", "accounts", "disable", email);
    assertThat(disabled.exit()).isZero();
    assertThat(disabled.json().get("disabled_at").isNull()).isFalse();
    assertThat(disabled.json().get("active_keys").asInt()).isZero();
    // Its key no longer works, and no new one is issued while it is disabled.
    assertThat(server.send("GET", "/api/v1/balance", key, null).status()).isEqualTo(401);
    assertThat(admin("accounts", "new-key", email).exit()).isEqualTo(Admin.INVALID);
    // Its money stays.
    assertThat(admin("--json", "accounts", "show", email).json().get("balance").decimalValue())
        .isEqualByComparingTo("5.25");

    assertThat(admin("accounts", "enable", email).exit()).isZero();
    Run newKey = admin("--json", "accounts", "new-key", email, "--name", "after");
    assertThat(newKey.exit()).isZero();
    String fresh = newKey.json().get("api_key").asText();
    assertThat(server.send("GET", "/api/v1/balance", fresh, null).status()).isEqualTo(200);
  }

  @Test
  void catalogNumbersAndReports() {
    String name = "Adm" + System.nanoTime();
    Run created =
        admin(
            "services",
            "create",
            name,
            "--price",
            "0.75",
            "--category",
            "chat",
            "--source",
            "gateway");
    assertThat(created.exit()).as(created.err()).isZero();
    Run changed = admin("--json", "services", "set", name, "--price", "0.8");
    assertThat(changed.json().get("price").decimalValue()).isEqualByComparingTo("0.8");
    Run list = admin("services", "list");
    assertThat(list.out()).startsWith("ID").contains(name).contains("0.8");

    assertThat(admin("numbers", "add", "+13125559001").exit()).isZero();
    Run retired = admin("numbers", "retire", "+13125559001");
    assertThat(retired.exit()).as(retired.err()).isZero();
    assertThat(admin("numbers", "retire", "+13125559001").exit()).isEqualTo(Admin.NOT_FOUND);

    String gateway = "gw" + System.nanoTime();
    Run added =
        admin(
            "--json",
            "gateways",
            "add",
            gateway,
            "--kind",
            "android",
            "--secret",
            "android-webhook-signing-key",
            "--number",
            "+13125559002");
    assertThat(added.exit()).as(added.err()).isZero();
    assertThat(added.json().get("inbound_url").asText()).endsWith("/api/v1/inbound/" + gateway);
    assertThat(admin("gateways", "list").out()).contains(gateway);
    assertThat(admin("gateways", "remove", gateway).out()).contains("removed " + gateway);
    assertThat(admin("gateways", "list", gateway).exit()).isEqualTo(Admin.NOT_FOUND);

    Run vouchers = admin("vouchers", "2.5", "--count", "3");
    assertThat(vouchers.exit()).as(vouchers.err()).isZero();
    assertThat(vouchers.out().lines().filter(l -> l.startsWith("OMO-")).count()).isEqualTo(3);
    assertThat(admin("vouchers", "0").exit()).isEqualTo(Admin.INVALID);

    for (String report : new String[] {"sources", "providers", "unmatched", "stats"}) {
      Run r = admin("--json", report);
      assertThat(r.exit()).as(report + r.err()).isZero();
      assertThat(r.json().isObject()).as(report).isTrue();
    }
  }

  @Test
  void failuresHaveTheirExitCodes() {
    assertThat(admin("accounts", "show", "999999").exit()).isEqualTo(Admin.NOT_FOUND);
    assertThat(admin("accounts", "show", "nobody@example.com").exit()).isEqualTo(Admin.NOT_FOUND);
    Run wrongToken = run("--url", server.url, "--token", "wrong", "stats");
    assertThat(wrongToken.exit()).isEqualTo(Admin.AUTH);
    Run away = run("--url", "http://127.0.0.1:9", "--token", "t", "stats");
    assertThat(away.exit()).isEqualTo(Admin.NETWORK);
    assertThat(away.err()).contains("http://127.0.0.1:9");
    assertThat(admin("services", "set", "x").exit()).isEqualTo(Admin.USAGE);
    assertThat(admin("no-such-command").exit()).isEqualTo(Admin.USAGE);
    for (String sub :
        new String[] {"accounts", "services", "numbers", "gateways", "stats", "import-numbers"}) {
      Run help = run(sub, "--help");
      assertThat(help.exit()).as(sub).isZero();
      assertThat(help.out()).as(sub).contains("Usage: ohmyotp admin " + sub);
    }
  }
}
