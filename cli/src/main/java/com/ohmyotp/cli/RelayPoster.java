package com.ohmyotp.cli;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Posts one SMS to a relay gateway's URL, signed as the server checks it ({@code
 * X-Ohmyotp-Timestamp}, {@code X-Ohmyotp-Signature: sha256=<hex HMAC-SHA256 of
 * "<timestamp>.<body>">}), and posts it again until it is accepted: each attempt signed anew, the
 * body the same, so that the server keeps the SMS once however many attempts reach it.
 */
final class RelayPoster {

  /** How a relay ended. */
  sealed interface Outcome {
    /** Accepted (or known already): the SMS is in. */
    record Accepted(String status) implements Outcome {}

    /** The server refused it for good (a bad secret, an unknown gateway, a bad body). */
    record Refused(int status, String answer) implements Outcome {}

    /** No attempt got an answer before the deadline. */
    record GaveUp(String lastProblem) implements Outcome {}
  }

  /** Something to say while retrying. */
  interface Progress {
    void retrying(int attempt, String problem, Duration wait);
  }

  private static final Duration MAX_WAIT = Duration.ofSeconds(60);

  private final HttpClient http;
  private final URI endpoint;
  private final byte[] secret;
  private final Clock clock;

  RelayPoster(URI endpoint, String secret, Clock clock) {
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    this.endpoint = endpoint;
    this.secret = secret.getBytes(StandardCharsets.UTF_8);
    this.clock = clock;
  }

  /** Posts {@code body} until accepted, refused for good, or {@code giveUpAfter} has passed. */
  Outcome post(String body, Duration giveUpAfter, Progress progress) throws InterruptedException {
    Instant deadline = clock.instant().plus(giveUpAfter);
    Duration wait = Duration.ofSeconds(1);
    String problem = "not tried";
    for (int attempt = 1; ; attempt++) {
      Optional<Duration> retryAfter = Optional.empty();
      try {
        HttpResponse<String> answer =
            http.send(request(body), HttpResponse.BodyHandlers.ofString());
        int status = answer.statusCode();
        if (status / 100 == 2) {
          return new Outcome.Accepted(statusOf(answer.body()));
        }
        if (status == 429 || status == 408 || status / 100 == 5) {
          problem = "HTTP " + status;
          retryAfter = answer.headers().firstValue("Retry-After").flatMap(RelayPoster::seconds);
        } else {
          return new Outcome.Refused(status, answer.body());
        }
      } catch (IOException e) {
        problem = e.getClass().getSimpleName() + " reaching " + endpoint;
      }
      Duration next = retryAfter.orElse(wait);
      if (clock.instant().plus(next).isAfter(deadline)) {
        return new Outcome.GaveUp(problem);
      }
      progress.retrying(attempt, problem, next);
      Thread.sleep(next.toMillis());
      wait = wait.multipliedBy(2).compareTo(MAX_WAIT) > 0 ? MAX_WAIT : wait.multipliedBy(2);
    }
  }

  private HttpRequest request(String body) {
    long timestamp = clock.instant().getEpochSecond();
    return HttpRequest.newBuilder(endpoint)
        .timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json")
        .header("X-Ohmyotp-Timestamp", String.valueOf(timestamp))
        .header("X-Ohmyotp-Signature", "sha256=" + sign(timestamp + "." + body))
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
  }

  private String sign(String signed) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(signed.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is in every JVM", e);
    }
  }

  private static String statusOf(String body) {
    int at = body.indexOf("\"status\":\"");
    if (at < 0) {
      return "accepted";
    }
    int from = at + 10;
    int to = body.indexOf('"', from);
    return to < 0 ? "accepted" : body.substring(from, to);
  }

  private static Optional<Duration> seconds(String value) {
    try {
      return Optional.of(Duration.ofSeconds(Math.max(1, Long.parseLong(value.trim()))));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }
}
