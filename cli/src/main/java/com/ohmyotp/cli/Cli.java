package com.ohmyotp.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.ohmyotp.client.Models;
import com.ohmyotp.client.OhMyOtp;
import com.ohmyotp.client.OhMyOtpException;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ohmyotp cli}: rent numbers and read codes from a terminal, through the Java SDK. A table
 * for people, {@code --json} for scripts. Past 300 lines because each subcommand is a picocli class
 * of its options and its printing; the settings (key, URL, config file) and the exit codes they all
 * share live here once.
 */
@Command(
    name = "ohmyotp-cli",
    mixinStandardHelpOptions = true,
    version = "ohmyotp-cli 1.0",
    description = "Rent disposable numbers and read SMS codes.",
    footerHeading = "%nSettings:%n",
    footer = {
      "The key comes from --key, OHMYOTP_API_KEY (or API_KEY), or the file"
          + " ~/.config/ohmyotp/config (lines 'api_key=omo_live_...' and 'url=https://...');"
          + " the server from --url, OHMYOTP_URL or that file (default http://localhost:8080)."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:done",
      "1:the server answered with another error",
      "2:a wrong command line",
      "3:no code came in time (rent --wait, code --wait)",
      "4:the balance is too low",
      "5:no numbers are free for the service",
      "6:no API key, or the server refused it",
      "7:the server could not be reached"
    },
    subcommands = {
      Cli.Services.class,
      Cli.Balance.class,
      Cli.Rent.class,
      Cli.CodeCmd.class,
      Cli.Cancel.class,
      Cli.Active.class,
      Cli.History.class,
      Cli.Rerent.class,
      Cli.RerentCheck.class,
      Cli.Redeem.class
    })
public final class Cli {

  static final int OK = 0;
  static final int FAILED = 1;
  static final int USAGE = 2;
  static final int TIMEOUT = 3;
  static final int NO_BALANCE = 4;
  static final int NO_NUMBERS = 5;
  static final int AUTH = 6;
  static final int NETWORK = 7;

  static final ObjectMapper JSON =
      JsonMapper.builder()
          .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .enable(SerializationFeature.INDENT_OUTPUT)
          .build();

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm", Locale.ROOT).withZone(ZoneId.systemDefault());

  @Option(
      names = "--url",
      scope = CommandLine.ScopeType.INHERIT,
      description =
          "The server (env OHMYOTP_URL; else the config file; else http://localhost:8080).")
  String url;

  @Option(
      names = "--key",
      scope = CommandLine.ScopeType.INHERIT,
      description = "The API key (env OHMYOTP_API_KEY or API_KEY; else the config file).")
  String key;

  @Option(
      names = "--json",
      scope = CommandLine.ScopeType.INHERIT,
      description = "Print the API's JSON instead of a table.")
  boolean json;

  final Map<String, String> env;
  final Path home;
  final PrintStream out;
  final PrintStream err;

  /** Whether a person watches: then a wait shows a live line on standard error. */
  final boolean live;

  Cli() {
    this(
        System.getenv(),
        Path.of(System.getProperty("user.home")),
        System.out,
        System.err,
        System.console() != null);
  }

  Cli(Map<String, String> env, Path home, PrintStream out, PrintStream err, boolean live) {
    this.env = env;
    this.home = home;
    this.out = out;
    this.err = err;
    this.live = live;
  }

  /** The settings file: {@code $XDG_CONFIG_HOME/ohmyotp/config}, else under the home folder. */
  Path configFile() {
    String xdg = env.get("XDG_CONFIG_HOME");
    Path dir = xdg != null && !xdg.isBlank() ? Path.of(xdg) : home.resolve(".config");
    return dir.resolve("ohmyotp").resolve("config");
  }

  private Properties config() {
    Properties p = new Properties();
    Path file = configFile();
    if (Files.isReadable(file)) {
      try (var reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        p.load(reader);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return p;
  }

  String serverUrl() {
    return first(url, env.get("OHMYOTP_URL"), config().getProperty("url"))
        .orElse("http://localhost:8080");
  }

  OhMyOtp api() {
    String apiKey =
        first(key, env.get("OHMYOTP_API_KEY"), env.get("API_KEY"), config().getProperty("api_key"))
            .orElseThrow(
                () ->
                    new NoKey(
                        "No API key: pass --key, set OHMYOTP_API_KEY, or put api_key=... in "
                            + configFile()));
    return OhMyOtp.create(serverUrl(), apiKey);
  }

  private static Optional<String> first(String... values) {
    for (String v : values) {
      if (v != null && !v.isBlank()) {
        return Optional.of(v.strip());
      }
    }
    return Optional.empty();
  }

  /** No key anywhere: exit as for a key refused. */
  static final class NoKey extends RuntimeException {
    NoKey(String message) {
      super(message);
    }
  }

  void print(Object answer) {
    try {
      out.println(JSON.writeValueAsString(answer));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String time(long unix) {
    return TIME.format(Instant.ofEpochSecond(unix));
  }

  static String money(java.math.BigDecimal amount) {
    return amount == null
        ? ""
        : amount.setScale(2, java.math.RoundingMode.HALF_EVEN).toPlainString();
  }

  /** A plain table: columns as wide as their widest cell. */
  void table(List<String> header, List<List<String>> rows) {
    int[] width = new int[header.size()];
    List<List<String>> all = new ArrayList<>();
    all.add(header);
    all.addAll(rows);
    for (List<String> row : all) {
      for (int i = 0; i < row.size(); i++) {
        width[i] = Math.max(width[i], row.get(i) == null ? 0 : row.get(i).length());
      }
    }
    for (List<String> row : all) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.size(); i++) {
        String cell = row.get(i) == null ? "" : row.get(i);
        line.append(cell);
        if (i < row.size() - 1) {
          line.append(" ".repeat(width[i] - cell.length() + 2));
        }
      }
      out.println(line.toString().stripTrailing());
    }
  }

  @Command(
      name = "services",
      mixinStandardHelpOptions = true,
      description = "List services with price and availability.")
  static final class Services implements Callable<Integer> {
    @CommandLine.ParentCommand Cli cli;

    @Option(names = "--category", description = "Only this category (e.g. retail).")
    String category;

    @Option(names = "--country", description = "Availability in this country (ISO code, e.g. US).")
    String country;

    @Override
    public Integer call() {
      OhMyOtp api = cli.api();
      List<Models.Service> services =
          (country == null ? api.services() : api.services(country))
              .stream()
                  .filter(s -> category == null || category.equalsIgnoreCase(s.category()))
                  .toList();
      if (cli.json) {
        cli.print(Map.of("services", services, "total", services.size()));
        return OK;
      }
      cli.table(
          List.of("NAME", "ID", "CATEGORY", "PRICE", "AVAILABLE"),
          services.stream()
              .map(
                  s ->
                      List.of(
                          s.name(),
                          s.id(),
                          s.category(),
                          money(s.price()),
                          String.valueOf(s.available())))
              .toList());
      return OK;
    }
  }

  @Command(
      name = "balance",
      mixinStandardHelpOptions = true,
      description = "Show the balance and recent transactions.")
  static final class Balance implements Callable<Integer> {
    @CommandLine.ParentCommand Cli cli;

    @Override
    public Integer call() {
      Models.Balance b = cli.api().balance();
      if (cli.json) {
        cli.print(b);
        return OK;
      }
      cli.out.println("balance " + money(b.balance()));
      if (!b.transactions().isEmpty()) {
        cli.out.println();
        cli.table(
            List.of("WHEN", "TYPE", "AMOUNT", "SERVICE"),
            b.transactions().stream()
                .map(
                    t ->
                        List.of(
                            time(t.createdAtUnix()),
                            t.type(),
                            money(t.amount()),
                            t.serviceId() == null
                                ? (t.note() == null ? "" : t.note())
                                : t.serviceId()))
                .toList());
      }
      return OK;
    }
  }

  @Command(
      name = "rent",
      mixinStandardHelpOptions = true,
      description = {
        "Rent a number and print it at once; with --wait, wait for the code and print it.",
        "On a terminal, waiting shows a live line (on standard error)."
      })
  static final class Rent implements Callable<Integer> {
    @CommandLine.ParentCommand Cli cli;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "SERVICE", description = "The service's name, e.g. Uber.")
    String service;

    @Option(names = "--country", description = "Only a number of this country (ISO code).")
    String country;

    @Option(
        names = "--wait",
        paramLabel = "SECONDS",
        description = "Wait up to this many seconds for the code (e.g. 120).")
    Integer waitSeconds;

    @Option(
        names = "--cancel-on-timeout",
        description = "When no code came in time, cancel the rental (refunded in full).")
    boolean cancelOnTimeout;

    @Override
    public Integer call() {
      if (waitSeconds != null && waitSeconds <= 0) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--wait must be positive.");
      }
      if (cancelOnTimeout && waitSeconds == null) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "--cancel-on-timeout needs --wait.");
      }
      OhMyOtp api = cli.api();
      Models.Rental rental = api.rent(service, country, java.util.UUID.randomUUID().toString());
      if (!cli.json) {
        cli.out.println(
            "rented "
                + rental.phoneNumber()
                + " ("
                + rental.phoneE164()
                + ") for "
                + rental.serviceId()
                + ", "
                + money(rental.cost())
                + ", until "
                + time(rental.expiresAt())
                + "  id "
                + rental.id());
        cli.out.flush();
      }
      if (waitSeconds == null) {
        if (cli.json) {
          cli.print(rental);
        }
        return OK;
      }
      Optional<Models.Code> code = cli.waitWithLiveLine(api, rental.id(), waitSeconds);
      if (code.isPresent()) {
        if (cli.json) {
          cli.print(Map.of("rental", rental, "code", code.get()));
        } else {
          cli.out.println("code " + code.get().code());
        }
        return OK;
      }
      Models.Cancellation cancelled = cancelOnTimeout ? api.cancel(rental.id()) : null;
      if (cli.json) {
        Map<String, Object> answer = new java.util.LinkedHashMap<>();
        answer.put("rental", rental);
        answer.put("code", null);
        answer.put("cancellation", cancelled);
        cli.print(answer);
      } else {
        cli.out.println(
            "no code within "
                + waitSeconds
                + " s"
                + (cancelled == null
                    ? "; the rental is still yours (ohmyotp cli cancel " + rental.id() + ")"
                    : "; cancelled, refunded " + money(cancelled.refundAmount())));
      }
      return TIMEOUT;
    }
  }

  /** Waits for a code, showing the seconds waited on standard error when a person watches. */
  Optional<Models.Code> waitWithLiveLine(OhMyOtp api, String rentalId, int seconds) {
    ScheduledExecutorService ticker =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "live-line");
              t.setDaemon(true);
              return t;
            });
    long started = System.nanoTime();
    boolean showing = live && !json;
    if (showing) {
      ticker.scheduleAtFixedRate(
          () ->
              err.printf(
                  Locale.ROOT,
                  "\rwaiting for the code ... %d s of %d ",
                  TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started),
                  seconds),
          0,
          1,
          TimeUnit.SECONDS);
    }
    try {
      return api.waitForCode(rentalId, Duration.ofSeconds(seconds));
    } finally {
      ticker.shutdownNow();
      if (showing) {
        err.print("\r" + " ".repeat(40) + "\r");
        err.flush();
      }
    }
  }

  @Command(
      name = "code",
      mixinStandardHelpOptions = true,
      description = "Show the newest code of a rental; with --wait, wait for one.")
  static final class CodeCmd implements Callable<Integer> {
    @CommandLine.ParentCommand Cli cli;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "RENTAL_ID")
    String id;

    @Option(names = "--wait", paramLabel = "SECONDS", description = "Wait up to this long.")
    Integer waitSeconds;

    @Override
    public Integer call() {
      if (waitSeconds != null && waitSeconds <= 0) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--wait must be positive.");
      }
      OhMyOtp api = cli.api();
      Models.Code code =
          waitSeconds == null
              ? api.code(id)
              : cli.waitWithLiveLine(api, id, waitSeconds).orElseGet(() -> api.code(id));
      if (cli.json) {
        cli.print(code);
      } else {
        cli.out.println(
            code.code() == null
                ? "no code yet (the rental is " + code.status() + ")"
                : code.code());
      }
      return code.code() == null ? TIMEOUT : OK;
    }
  }

  @Command(
      name = "cancel",
      mixinStandardHelpOptions = true,
      description = "Release a rental's number; refunded in full when no SMS came.")
  static final class Cancel implements Callable<Integer> {
    @CommandLine.ParentCommand Cli cli;

    @Parameters(paramLabel = "RENTAL_ID")
    String id;

    @Override
    public Integer call() {
      Models.Cancellation c = cli.api().cancel(id);
      if (cli.json) {
        cli.print(c);
      } else {
        cli.out.println(c.status() + ", refunded " + money(c.refundAmount()));
      }
      return OK;
    }
  }

  @Command(
      name = "active",
      mixinStandardHelpOptions = true,
      description = "List the rentals that hold their number.")
  static final class Active implements Callable<Integer> {
    @CommandLine.ParentCommand Cli cli;

    @Override
    public Integer call() {
      Models.RentalPage page = cli.api().active();
      if (cli.json) {
        cli.print(page);
        return OK;
      }
      cli.table(
          List.of("ID", "SERVICE", "PHONE", "UNTIL", "CODE"),
          page.rentals().stream()
              .map(
                  r ->
                      List.of(
                          r.id(),
                          r.serviceId(),
                          r.phoneNumber(),
                          time(r.expiresAt()),
                          r.smsMessages().isEmpty()
                              ? "-"
                              : String.valueOf(
                                  r.smsMessages().get(r.smsMessages().size() - 1).code())))
              .toList());
      return OK;
    }
  }

  @Command(
      name = "history",
      mixinStandardHelpOptions = true,
      description = "List past rentals, newest first.")
  static final class History implements Callable<Integer> {
    @CommandLine.ParentCommand Cli cli;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(
        names = "--status",
        defaultValue = "all",
        description = "all, active, completed, expired or cancelled (default ${DEFAULT-VALUE}).")
    String status;

    @Option(names = "--used", description = "Only rentals that received an SMS.")
    boolean used;

    @Option(
        names = "--limit",
        defaultValue = "50",
        description = "At most this many rentals (default ${DEFAULT-VALUE}).")
    int limit;

    @Override
    public Integer call() {
      if (limit <= 0) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--limit must be positive.");
      }
      List<Models.HistoryEntry> entries = cli.api().history(status, used).limit(limit).toList();
      if (cli.json) {
        cli.print(Map.of("rentals", entries));
        return OK;
      }
      cli.table(
          List.of("WHEN", "SERVICE", "PHONE", "STATUS", "COST", "LAST CODE", "RE-RENT"),
          entries.stream()
              .map(
                  e ->
                      List.of(
                          time(e.rentedAt()),
                          e.serviceId(),
                          e.phoneNumber(),
                          e.status(),
                          money(e.cost()),
                          e.lastCode() == null ? "-" : e.lastCode(),
                          e.rentable() ? "yes" : e.rentableReason()))
              .toList());
      return OK;
    }
  }

  @Command(
      name = "rerent",
      mixinStandardHelpOptions = true,
      description = "Rent again a number you used before for the same service.")
  static final class Rerent implements Callable<Integer> {
    @CommandLine.ParentCommand Cli cli;

    @Parameters(index = "0", paramLabel = "PHONE")
    String phone;

    @Parameters(index = "1", paramLabel = "SERVICE")
    String service;

    @Override
    public Integer call() {
      Models.Rental r = cli.api().rerent(service, phone);
      if (cli.json) {
        cli.print(r);
      } else {
        cli.out.println(
            "rented again "
                + r.phoneNumber()
                + " for "
                + r.serviceId()
                + ", "
                + money(r.cost())
                + ", until "
                + time(r.expiresAt())
                + "  id "
                + r.id());
      }
      return OK;
    }
  }

  @Command(
      name = "rerent-check",
      mixinStandardHelpOptions = true,
      description = "Which of these numbers could be rented again for SERVICE now.")
  static final class RerentCheck implements Callable<Integer> {
    @CommandLine.ParentCommand Cli cli;

    @Parameters(index = "0", paramLabel = "SERVICE")
    String service;

    @Parameters(index = "1..*", arity = "1..100", paramLabel = "PHONE")
    List<String> phones;

    @Override
    public Integer call() {
      Models.RerentCheck check = cli.api().rerentCheck(service, phones);
      if (cli.json) {
        cli.print(check);
        return OK;
      }
      cli.table(
          List.of("PHONE", "ELIGIBLE", "REASON", "COST"),
          check.results().stream()
              .map(
                  r ->
                      List.of(
                          r.phoneNumber(),
                          r.eligible() ? "yes" : "no",
                          r.reason(),
                          money(r.cost())))
              .toList());
      return OK;
    }
  }

  @Command(
      name = "redeem",
      mixinStandardHelpOptions = true,
      description = "Add a prepaid voucher's amount to your balance.")
  static final class Redeem implements Callable<Integer> {
    @CommandLine.ParentCommand Cli cli;

    @Parameters(paramLabel = "CODE", description = "As printed: OMO-XXXX-XXXX-XXXX-XXXX.")
    String code;

    @Override
    public Integer call() {
      Models.Redeemed r = cli.api().redeem(code);
      if (cli.json) {
        cli.print(r);
      } else {
        cli.out.println("added " + money(r.amount()) + ", balance " + money(r.balance()));
      }
      return OK;
    }
  }

  /** What an error exits with, and the line it prints. */
  static int exitFor(Exception e, PrintStream err) {
    if (e instanceof NoKey) {
      err.println("ohmyotp: " + e.getMessage());
      return AUTH;
    }
    if (e instanceof OhMyOtpException api) {
      String id = api.requestId() == null ? "" : " (request " + api.requestId() + ")";
      err.println("ohmyotp: " + api.getMessage() + id);
      if (api.status() == 0) {
        return NETWORK;
      }
      return switch (api.error()) {
        case "insufficient_balance" -> NO_BALANCE;
        case "no_numbers_available" -> NO_NUMBERS;
        default -> api.status() == 401 ? AUTH : FAILED;
      };
    }
    err.println("ohmyotp: " + e);
    return FAILED;
  }

  /** Runs a command line; answers its exit code. */
  int run(String... args) {
    CommandLine cmd = new CommandLine(this);
    cmd.setOut(new java.io.PrintWriter(out, true));
    cmd.setErr(new java.io.PrintWriter(err, true));
    cmd.getCommandSpec().exitCodeOnInvalidInput(USAGE);
    cmd.setExecutionExceptionHandler((e, line, parsed) -> exitFor(e, err));
    return cmd.execute(args);
  }

  public static void main(String[] args) {
    System.exit(new Cli().run(args));
  }
}
