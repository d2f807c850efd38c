package com.ohmyotp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code ohmyotp relay} end to end: run as Gammu SMSD's RunOnReceive runs it (the SMS in the
 * environment) and as the URL of Kannel's get-url, against a real server with a relay gateway.
 */
class RelayTest {

  static final String SECRET = "relay-test-secret";
  static LocalServer server;

  @BeforeAll
  static void start() {
    server = new LocalServer();
    assertThat(
            server
                .admin(
                    "POST",
                    "/api/admin/gateways",
                    "{\"name\":\"modem\",\"kind\":\"relay\",\"secret\":\"" + SECRET + "\"}")
                .status())
        .isEqualTo(201);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  record Run(int exit, String err) {}

  static Run relay(Map<String, String> env, String... args) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Relay relay =
        new Relay(env, Clock.systemUTC(), new PrintStream(err, true, StandardCharsets.UTF_8));
    CommandLine cmd = new CommandLine(relay);
    cmd.getCommandSpec().exitCodeOnInvalidInput(Relay.USAGE);
    int exit = cmd.execute(args);
    return new Run(exit, err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void gammusLongSmsArrivesOnceFromItsEnvironment() {
    LocalServer.Rented rented = server.rentGatewayNumber("2125550143");
    Map<String, String> env = new HashMap<>();
    // What Gammu SMSD sets for a two-part SMS before it runs RunOnReceive.
    env.put("SMS_MESSAGES", "2");
    env.put("SMS_1_NUMBER", "+14155550100");
    env.put("SMS_1_TEXT", "Your Lyft code is ");
    env.put("SMS_1_CLASS", "-1");
    env.put("SMS_2_NUMBER", "+14155550100");
    env.put("SMS_2_TEXT", "4242. Do not share it.");
    env.put("DECODED_PARTS", "0");
    env.put("PHONE_ID", "modem1");
    env.put("OHMYOTP_RELAY_SECRET", SECRET);
    String[] args = {
      "--url",
      server.url,
      "--gateway",
      "modem",
      "--to",
      "+1" + rented.phone(),
      "IN20260515_120000_00_+14155550100_00.txt",
      "IN20260515_120000_00_+14155550100_01.txt"
    };

    Run first = relay(env, args);
    assertThat(first.exit()).as(first.err()).isEqualTo(0);
    assertThat(first.err()).contains("accepted");
    Run again = relay(env, args);
    assertThat(again.exit()).as(again.err()).isEqualTo(0);
    assertThat(again.err()).contains("duplicate");

    JsonNode sms = server.rental(rented).get("sms_messages");
    assertThat(sms).hasSize(1);
    assertThat(sms.get(0).get("message").asText())
        .isEqualTo("Your Lyft code is 4242. Do not share it.");
    assertThat(sms.get(0).get("code").asText()).isEqualTo("4242");
  }

  @Test
  void aRefusalOrAnUnreachableServerEndsWithItsOwnExitCode() {
    Map<String, String> env = new HashMap<>();
    env.put("SMS_MESSAGES", "1");
    env.put("SMS_1_NUMBER", "+14155550100");
    env.put("SMS_1_TEXT", "code 1");
    env.put("OHMYOTP_RELAY_SECRET", "not-the-secret");
    Run refused = relay(env, "--url", server.url, "--gateway", "modem", "--to", "+12125550144");
    assertThat(refused.exit()).isEqualTo(Relay.REFUSED);
    assertThat(refused.err()).contains("401");

    env.put("OHMYOTP_RELAY_SECRET", SECRET);
    Run unreachable =
        relay(
            env,
            "--url",
            "http://127.0.0.1:1",
            "--gateway",
            "modem",
            "--to",
            "+12125550144",
            "--give-up-after",
            "2");
    assertThat(unreachable.exit()).isEqualTo(Relay.GAVE_UP);
    assertThat(unreachable.err()).contains("127.0.0.1:1");

    Run noSms =
        relay(
            Map.of("OHMYOTP_RELAY_SECRET", SECRET),
            "--url",
            server.url,
            "--gateway",
            "modem",
            "--to",
            "+1");
    assertThat(noSms.exit()).isEqualTo(Relay.USAGE);
  }

  @Test
  void kannelsGetUrlIsRelayedAndAnsweredWhenTheServerHasTheSms() throws Exception {
    LocalServer.Rented rented = server.rentGatewayNumber("2125550145");
    Relay relay =
        new Relay(
            Map.of("OHMYOTP_RELAY_SECRET", SECRET),
            Clock.systemUTC(),
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    new CommandLine(relay)
        .parseArgs("--url", server.url, "--gateway", "modem", "--listen", "127.0.0.1:0");
    Thread serving =
        Thread.ofVirtual()
            .start(
                () -> {
                  try {
                    relay.call();
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  } catch (Exception e) {
                    throw new IllegalStateException(e);
                  }
                });
    try {
      Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
      while (!relay.listening() && Instant.now().isBefore(deadline)) {
        java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
      }
      // As Kannel's get-url = "http://127.0.0.1:<port>/kannel?from=%p&to=%P&text=%a&time=%t&id=%I",
      // %t the minute only.
      String query =
          "from="
              + enc("+14155550111")
              + "&to="
              + enc("1" + rented.phone())
              + "&text="
              + enc("Your Uber code is 8080")
              + "&time="
              + enc(
                  java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm")
                      .format(java.time.LocalDateTime.now(java.time.ZoneOffset.UTC)))
              + "&id="
              + enc("kannel-1");
      HttpResponse<String> answer =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + relay.port() + "/kannel?" + query))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(answer.statusCode()).isEqualTo(200);
      // An empty answer: Kannel sends no reply SMS.
      assertThat(answer.body()).isEmpty();
      JsonNode sms = server.rental(rented).get("sms_messages");
      assertThat(sms)
          .as(server.admin("GET", "/api/admin/sms/unmatched", null).json().toString())
          .hasSize(1);
      assertThat(sms.get(0).get("code").asText()).isEqualTo("8080");

      HttpResponse<String> incomplete =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + relay.port() + "/kannel?from=x"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(incomplete.statusCode()).isEqualTo(400);
    } finally {
      relay.stop();
      serving.interrupt();
    }
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
