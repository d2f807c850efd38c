package com.ohmyotp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ohmyotp admin}: the operator's commands over {@code /api/admin}, authenticated with the
 * admin token ({@code --token}, {@code OHMYOTP_ADMIN_TOKEN}, or the server's {@code admin-token}
 * file in {@code OHMYOTP_DATA_DIR}, {@code data} by default).
 */
@Command(
    name = "ohmyotp admin",
    mixinStandardHelpOptions = true,
    description = "The operator's commands, over /api/admin.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:done",
      "1:the server failed",
      "2:the server refused the input (400, 409, 422)",
      "3:no such account, service, number or gateway",
      "6:no admin token, or the server refused it",
      "7:the server could not be reached",
      "64:a wrong command line"
    },
    subcommands = {
      AdminCommands.Accounts.class,
      AdminCommands.Services.class,
      AdminCommands.Numbers.class,
      AdminCommands.VoucherIssue.class,
      Admin.ImportNumbers.class,
      AdminCommands.Sources.class,
      AdminCommands.Providers.class,
      AdminCommands.Gateways.class,
      AdminCommands.Unmatched.class,
      AdminCommands.Stats.class
    })
public final class Admin {

  static final int OK = 0;
  static final int FAILED = 1;
  static final int INVALID = 2;
  static final int NOT_FOUND = 3;
  static final int AUTH = 6;
  static final int NETWORK = 7;
  static final int USAGE = 64;

  @Option(
      names = "--json",
      scope = CommandLine.ScopeType.INHERIT,
      description = "Print the API's JSON instead of a table.")
  boolean json;

  PrintStream out = System.out;
  PrintStream err = System.err;

  @Option(
      names = "--url",
      scope = CommandLine.ScopeType.INHERIT,
      defaultValue = "${env:OHMYOTP_URL:-http://localhost:8080}",
      description = "The server's URL (env OHMYOTP_URL; default ${DEFAULT-VALUE}).")
  String url;

  @Option(
      names = "--token",
      scope = CommandLine.ScopeType.INHERIT,
      defaultValue = "${env:OHMYOTP_ADMIN_TOKEN}",
      description =
          "The admin token (env OHMYOTP_ADMIN_TOKEN; else the server's data/admin-token file).")
  String token;

  String token() throws IOException {
    if (token != null && !token.isBlank()) {
      return token;
    }
    String dir = System.getenv().getOrDefault("OHMYOTP_DATA_DIR", "data");
    Path file = Path.of(dir, "admin-token");
    if (Files.isReadable(file)) {
      return Files.readString(file, StandardCharsets.UTF_8).strip();
    }
    throw new OperatorApi.Refused(
        AUTH, "give the admin token: --token, OHMYOTP_ADMIN_TOKEN or " + file);
  }

  /** {@code import-numbers FILE}: a CSV file into inventory, all of it or none. */
  @Command(
      name = "import-numbers",
      mixinStandardHelpOptions = true,
      description = {
        "Imports numbers from a CSV file, all of them or none.",
        "The first line names the columns: phone, and any of country, gateway, expiry.",
        "An expiry is a date (2027-01-31, the end of that day UTC), a time with its offset or Unix"
            + " seconds."
      },
      exitCodeListHeading = "Exit codes:%n",
      exitCodeList = {
        "0:every number was imported",
        "1:the server could not be reached or failed",
        "2:lines were refused (listed); nothing was imported",
        "64:a wrong command line"
      })
  static final class ImportNumbers implements Callable<Integer> {
    @CommandLine.ParentCommand Admin admin;

    @Parameters(paramLabel = "FILE", description = "The CSV file.")
    Path file;

    @Option(
        names = "--source",
        defaultValue = "gateway",
        description = "The numbers' source (default ${DEFAULT-VALUE}).")
    String source;

    PrintStream out = System.out;
    PrintStream err = System.err;

    @Override
    public Integer call() throws Exception {
      if (!Files.isReadable(file)) {
        err.println("ohmyotp admin: cannot read " + file);
        return USAGE;
      }
      byte[] csv = Files.readAllBytes(file);
      long rows = Math.max(0, lines(csv) - 1);
      URI endpoint =
          URI.create(
              admin.url.replaceAll("/+$", "")
                  + "/api/admin/numbers/import?source="
                  + java.net.URLEncoder.encode(source, StandardCharsets.UTF_8));
      AtomicLong sent = new AtomicLong();
      HttpRequest request =
          HttpRequest.newBuilder(endpoint)
              .timeout(Duration.ofMinutes(30))
              .header("Authorization", "Bearer " + admin.token())
              .header("Content-Type", "text/csv; charset=utf-8")
              .POST(counted(csv, sent))
              .build();
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
      CompletableFuture<HttpResponse<String>> answer =
          http.sendAsync(request, HttpResponse.BodyHandlers.ofString());
      long started = System.nanoTime();
      HttpResponse<String> response;
      while (true) {
        try {
          response = answer.get(500, TimeUnit.MILLISECONDS);
          break;
        } catch (TimeoutException e) {
          long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
          long done = sent.get();
          if (done < csv.length) {
            err.printf(
                Locale.ROOT,
                "\ruploading %3d%%  (%,d of %,d rows)   ",
                csv.length == 0 ? 100 : done * 100 / csv.length,
                csv.length == 0 ? 0 : rows * done / csv.length,
                rows);
          } else {
            err.printf(Locale.ROOT, "\rimporting %,d rows ... %d s          ", rows, seconds);
          }
        } catch (java.util.concurrent.ExecutionException e) {
          err.println();
          Throwable cause = e.getCause();
          err.println(
              "ohmyotp admin: cannot reach "
                  + admin.url
                  + ": "
                  + (cause instanceof ConnectException ? "connection refused" : cause.toString()));
          return FAILED;
        }
      }
      err.print("\r                                                  \r");
      return report(response, rows);
    }

    private int report(HttpResponse<String> response, long rows) throws IOException {
      JsonNode body;
      try {
        body = new ObjectMapper().readTree(response.body());
      } catch (IOException e) {
        err.println("ohmyotp admin: HTTP " + response.statusCode() + ", an answer not in JSON");
        return FAILED;
      }
      if (response.statusCode() == 201) {
        out.printf(Locale.ROOT, "imported %,d numbers%n", body.path("imported").asLong());
        return OK;
      }
      if (body.has("errors")) {
        for (JsonNode e : body.get("errors")) {
          err.println("line " + e.path("line").asLong() + ": " + e.path("message").asText());
        }
        long shown = body.get("errors").size();
        long invalid = body.path("invalid_lines").asLong(shown);
        if (invalid > shown) {
          err.printf(Locale.ROOT, "... and %,d more%n", invalid - shown);
        }
        err.println("ohmyotp admin: " + body.path("message").asText());
        return INVALID;
      }
      err.println(
          "ohmyotp admin: HTTP "
              + response.statusCode()
              + " "
              + body.path("error").asText()
              + ": "
              + body.path("message").asText());
      return response.statusCode() == 400 ? INVALID : FAILED;
    }

    private static long lines(byte[] csv) {
      long n = 0;
      for (byte b : csv) {
        if (b == '\n') {
          n++;
        }
      }
      return csv.length > 0 && csv[csv.length - 1] != '\n' ? n + 1 : n;
    }

    /** The file as a body, counting what has been handed to the connection. */
    private static HttpRequest.BodyPublisher counted(byte[] csv, AtomicLong sent) {
      HttpRequest.BodyPublisher whole = HttpRequest.BodyPublishers.ofByteArray(csv);
      return new HttpRequest.BodyPublisher() {
        @Override
        public long contentLength() {
          return whole.contentLength();
        }

        @Override
        public void subscribe(Flow.Subscriber<? super ByteBuffer> subscriber) {
          whole.subscribe(
              new Flow.Subscriber<>() {
                @Override
                public void onSubscribe(Flow.Subscription subscription) {
                  subscriber.onSubscribe(subscription);
                }

                @Override
                public void onNext(ByteBuffer item) {
                  sent.addAndGet(item.remaining());
                  subscriber.onNext(item);
                }

                @Override
                public void onError(Throwable throwable) {
                  subscriber.onError(throwable);
                }

                @Override
                public void onComplete() {
                  subscriber.onComplete();
                }
              });
        }
      };
    }
  }

  /** Runs a command line; answers its exit code. */
  int run(String... args) {
    CommandLine cmd = new CommandLine(this);
    cmd.setOut(new java.io.PrintWriter(out, true));
    cmd.setErr(new java.io.PrintWriter(err, true));
    cmd.getCommandSpec().exitCodeOnInvalidInput(USAGE);
    cmd.setExecutionExceptionHandler(
        (e, line, parsed) -> {
          if (e instanceof OperatorApi.Refused refused) {
            err.println("ohmyotp admin: " + refused.getMessage());
            return refused.exit;
          }
          throw e;
        });
    return cmd.execute(args);
  }

  public static void main(String[] args) {
    System.exit(new Admin().run(args));
  }
}
