package com.ohmyotp.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ohmyotp relay}: hands the SMS of a modem to a {@code relay} gateway, for SMS software that
 * cannot sign its posts. Run by Gammu SMSD's {@code RunOnReceive} (the SMS in its {@code SMS_1_*}
 * and {@code DECODED_*} environment), or left running with {@code --listen} as the URL of a Kannel
 * {@code sms-service}'s {@code get-url}. Either way it signs, posts and posts again until the
 * server has the SMS.
 *
 * <p>Exit codes: 0 the server has the SMS; 2 the server refused it for good (the answer is printed:
 * a wrong secret or gateway name, a malformed number); 3 no attempt was answered before {@code
 * --give-up-after}; 64 a wrong command line or environment.
 *
 * <p>Over 300 lines because it is one command with two ways in (Gammu's environment, Kannel's URL)
 * that share its options and its body; the posting and retrying is {@link RelayPoster}.
 */
@Command(
    name = "ohmyotp relay",
    mixinStandardHelpOptions = true,
    description = {
      "Hands a modem's SMS to a relay gateway, signed, until the server has it.",
      "Gammu SMSD: RunOnReceive = ohmyotp relay --to <the modem's number> (the SMS comes in the"
          + " environment).",
      "Kannel: ohmyotp relay --listen 127.0.0.1:13080, and get-url ="
          + " \"http://127.0.0.1:13080/kannel?from=%%p&to=%%P&text=%%a&time=%%T&id=%%I\"."
    },
    exitCodeListHeading = "Exit codes:%n",
    exitCodeList = {
      "0:the server has the SMS",
      "2:the server refused it for good",
      "3:no attempt was answered in time",
      "64:a wrong command line or environment"
    })
public final class Relay implements Callable<Integer> {

  static final int ACCEPTED = 0;
  static final int REFUSED = 2;
  static final int GAVE_UP = 3;
  static final int USAGE = 64;

  private static final DateTimeFormatter KANNEL_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm[:ss]");

  @Option(
      names = "--url",
      defaultValue = "${env:OHMYOTP_URL:-http://localhost:8080}",
      description = "The server's URL (env OHMYOTP_URL; default ${DEFAULT-VALUE}).")
  String url;

  @Option(
      names = "--gateway",
      defaultValue = "${env:OHMYOTP_RELAY_GATEWAY}",
      description = "The relay gateway's name (env OHMYOTP_RELAY_GATEWAY).")
  String gateway;

  @Option(
      names = "--secret-file",
      defaultValue = "${env:OHMYOTP_RELAY_SECRET_FILE}",
      description =
          "A file holding the gateway's secret (env OHMYOTP_RELAY_SECRET_FILE; or the secret"
              + " itself in env OHMYOTP_RELAY_SECRET).")
  Path secretFile;

  @Option(
      names = "--to",
      defaultValue = "${env:OHMYOTP_RELAY_TO}",
      description = "The modem's own number, which Gammu does not pass (env OHMYOTP_RELAY_TO).")
  String to;

  @Option(
      names = "--listen",
      description = "Serve Kannel's get-url on HOST:PORT instead of relaying one Gammu SMS.")
  String listen;

  @Option(
      names = "--give-up-after",
      defaultValue = "86400",
      description =
          "Seconds to keep trying one SMS (default ${DEFAULT-VALUE}; with --listen at most 25, so"
              + " that Kannel hears back within its own timeout).")
  long giveUpAfter;

  @Parameters(
      arity = "0..*",
      paramLabel = "ID",
      description = "What Gammu passes: the ids of the received message's parts.")
  List<String> ids = new ArrayList<>();

  private final Map<String, String> env;
  private final Clock clock;
  private final PrintStream err;
  private final ObjectMapper json = new ObjectMapper();
  private volatile HttpServer server;

  /** A relay reading the process's environment. */
  public Relay() {
    this(System.getenv(), Clock.systemUTC(), System.err);
  }

  Relay(Map<String, String> env, Clock clock, PrintStream err) {
    this.env = env;
    this.clock = clock;
    this.err = err;
  }

  @Override
  public Integer call() throws Exception {
    if (gateway == null || gateway.isBlank()) {
      return usage("name the relay gateway: --gateway or OHMYOTP_RELAY_GATEWAY");
    }
    String secret = secret();
    if (secret == null) {
      return usage("give the gateway's secret: --secret-file or OHMYOTP_RELAY_SECRET");
    }
    RelayPoster poster =
        new RelayPoster(
            URI.create(url.replaceAll("/+$", "") + "/api/v1/inbound/" + gateway), secret, clock);
    if (listen != null) {
      return serveKannel(poster);
    }
    return relayGammu(poster);
  }

  private String secret() throws IOException {
    if (secretFile != null) {
      return Files.readString(secretFile, StandardCharsets.UTF_8).strip();
    }
    String s = env.get("OHMYOTP_RELAY_SECRET");
    return s == null || s.isEmpty() ? null : s;
  }

  /** One SMS from Gammu SMSD's environment. */
  private int relayGammu(RelayPoster poster) throws InterruptedException {
    if (to == null || to.isBlank()) {
      return usage("give the modem's own number: --to or OHMYOTP_RELAY_TO");
    }
    String from = env.get("SMS_1_NUMBER");
    if (from == null) {
      return usage("no SMS_1_NUMBER in the environment: run from Gammu SMSD's RunOnReceive");
    }
    String body = body(to, from, gammuText(), clock.instant().getEpochSecond(), messageId());
    return report(poster.post(body, Duration.ofSeconds(giveUpAfter), this::retrying));
  }

  /** The decoded text of a long SMS where Gammu gives it, else its parts' texts in order. */
  String gammuText() {
    int decoded = number(env.get("DECODED_PARTS"));
    StringBuilder text = new StringBuilder();
    for (int i = 1; i <= decoded; i++) {
      String part = env.get("DECODED_" + i + "_TEXT");
      if (part != null) {
        text.append(part);
      }
    }
    if (!text.isEmpty()) {
      return text.toString();
    }
    int parts = Math.max(1, number(env.get("SMS_MESSAGES")));
    for (int i = 1; i <= parts; i++) {
      String part = env.get("SMS_" + i + "_TEXT");
      if (part != null) {
        text.append(part);
      }
    }
    return text.toString();
  }

  private String messageId() {
    if (ids.isEmpty()) {
      return null;
    }
    String id = String.join(",", ids);
    return id.length() <= 100 ? id : id.substring(0, 100);
  }

  /** Kannel's get-url, served until the process is stopped. */
  private int serveKannel(RelayPoster poster) throws IOException, InterruptedException {
    int colon = listen.lastIndexOf(':');
    if (colon < 0) {
      return usage("--listen takes HOST:PORT, such as 127.0.0.1:13080");
    }
    HttpServer http =
        HttpServer.create(
            new InetSocketAddress(
                listen.substring(0, colon), Integer.parseInt(listen.substring(colon + 1))),
            64);
    http.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    http.createContext("/", exchange -> kannel(exchange, poster));
    http.start();
    server = http;
    err.println("ohmyotp relay: serving Kannel's get-url on " + listen);
    Thread.currentThread().join();
    return ACCEPTED;
  }

  /** Whether a relay started with {@code --listen} is serving. */
  boolean listening() {
    return server != null;
  }

  /** The port a relay started with {@code --listen HOST:0} took. */
  int port() {
    return server.getAddress().getPort();
  }

  void stop() {
    if (server != null) {
      server.stop(0);
    }
  }

  private void kannel(HttpExchange exchange, RelayPoster poster) throws IOException {
    Map<String, String> q = query(exchange.getRequestURI().getRawQuery());
    String from = q.get("from");
    String number = q.getOrDefault("to", to);
    if (from == null || number == null || q.get("text") == null) {
      answer(exchange, 400, "from, to and text are required (%p, %P and %a)");
      return;
    }
    String body = body(number, from, q.get("text"), kannelTime(q.get("time")), q.get("id"));
    try {
      RelayPoster.Outcome outcome =
          poster.post(body, Duration.ofSeconds(Math.min(25, giveUpAfter)), this::retrying);
      switch (outcome) {
        case RelayPoster.Outcome.Accepted a -> answer(exchange, 200, "");
        case RelayPoster.Outcome.Refused r -> {
          err.println(
              "ohmyotp relay: the server refused an SMS: HTTP " + r.status() + " " + r.answer());
          answer(exchange, 403, "refused by the server");
        }
        case RelayPoster.Outcome.GaveUp g -> {
          err.println("ohmyotp relay: gave up on an SMS: " + g.lastProblem());
          answer(exchange, 503, "the server is not reachable");
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      answer(exchange, 503, "stopping");
    }
  }

  private long kannelTime(String time) {
    if (time != null && !time.isBlank()) {
      if (time.chars().allMatch(Character::isDigit)) {
        return Long.parseLong(time);
      }
      try {
        long at = LocalDateTime.parse(time.strip(), KANNEL_TIME).toEpochSecond(ZoneOffset.UTC);
        if (time.strip().length() <= 16) {
          // %t gives the minute only: the SMS came within it, at the latest now. Dated at the
          // minute's start, one that came just after a rental began would seem to precede it.
          return Math.min(clock.instant().getEpochSecond(), at + 59);
        }
        return at;
      } catch (DateTimeParseException e) {
        // An unreadable time: the SMS is dated as it reaches the relay.
      }
    }
    return clock.instant().getEpochSecond();
  }

  private String body(String number, String from, String text, long receivedAt, String id) {
    ObjectNode b = json.createObjectNode();
    b.put("to", number);
    b.put("from", from);
    b.put("text", text);
    b.put("received_at", receivedAt);
    if (id != null && !id.isBlank()) {
      b.put("message_id", id);
    }
    return b.toString();
  }

  private int report(RelayPoster.Outcome outcome) {
    return switch (outcome) {
      case RelayPoster.Outcome.Accepted a -> {
        err.println("ohmyotp relay: " + a.status());
        yield ACCEPTED;
      }
      case RelayPoster.Outcome.Refused r -> {
        err.println("ohmyotp relay: refused, HTTP " + r.status() + ": " + r.answer());
        yield REFUSED;
      }
      case RelayPoster.Outcome.GaveUp g -> {
        err.println("ohmyotp relay: gave up after " + giveUpAfter + " s; last: " + g.lastProblem());
        yield GAVE_UP;
      }
    };
  }

  private void retrying(int attempt, String problem, Duration wait) {
    err.println(
        "ohmyotp relay: attempt "
            + attempt
            + " failed ("
            + problem
            + "); again in "
            + wait.toSeconds()
            + " s");
  }

  private int usage(String message) {
    err.println("ohmyotp relay: " + message);
    return USAGE;
  }

  private static int number(String value) {
    try {
      return value == null ? 0 : Integer.parseInt(value.strip());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> q = new HashMap<>();
    if (raw == null) {
      return q;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      q.putIfAbsent(k, v);
    }
    return q;
  }

  private static void answer(HttpExchange exchange, int status, String text) throws IOException {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  public static void main(String[] args) {
    CommandLine cmd = new CommandLine(new Relay());
    cmd.getCommandSpec().exitCodeOnInvalidInput(USAGE);
    System.exit(cmd.execute(args));
  }
}
