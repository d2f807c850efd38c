package com.ohmyotp.smsactivate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;

/**
 * A client of another service's {@code handler_api.php}: how numbers are bought from upstream
 * providers. Each call is bounded (connect and read timeouts, answers of at most {@link
 * #MAX_ANSWER_BYTES}), so a provider that is dead, slow or hostile cannot hold a request or a
 * thread; whatever is not one of the protocol's answers is an {@link UpstreamException}.
 *
 * <p>Just over 300 lines: one method per action and its parsing, and the one bounded call they
 * share.
 */
public final class HandlerApiClient {

  /**
   * The longest answer read: the protocol's answers are a few words or a JSON document, the longest
   * a list of some ten thousand activations.
   */
  static final int MAX_ANSWER_BYTES = 8 << 20;

  private static final ObjectMapper JSON = new ObjectMapper();

  /** A status and a body read whole, within the deadline. */
  private record Reply(int status, byte[] body) {}

  private final HttpClient http;
  private final Duration readTimeout;
  // The client hands answers on through virtual threads; a call waits on a deadline, never on a
  // platform thread.
  private final java.util.concurrent.ExecutorService readers =
      java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();

  /**
   * @param connectTimeout how long a connection may take to open
   * @param readTimeout how long a whole answer may take once asked
   */
  public HandlerApiClient(Duration connectTimeout, Duration readTimeout) {
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(connectTimeout)
            .executor(readers)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    this.readTimeout = readTimeout;
  }

  /** A provider as the client reaches it: its endpoint and its API key for us. */
  public record Peer(URI endpoint, String apiKey) {
    @Override
    public String toString() {
      // A peer is logged by where it is, never with its key.
      return endpoint.getHost();
    }
  }

  /** A call that did not get one of the protocol's answers. Its message names no secret. */
  public static final class UpstreamException extends Exception {
    public UpstreamException(String message) {
      super(message, null, false, false);
    }
  }

  /** What {@code getNumber} got. */
  public sealed interface NumberReply {
    /** A number, held for us under the provider's activation id. */
    record Number(String activationId, String phone) implements NumberReply {}

    /** {@code NO_NUMBERS}, or none at the price we offered ({@code WRONG_MAX_PRICE}). */
    record NoNumbers(String answer) implements NumberReply {}

    /** One of the protocol's refusals: {@code BAD_KEY}, {@code NO_BALANCE}, {@code ERROR_SQL}… */
    record Refused(String answer) implements NumberReply {}
  }

  /**
   * {@code getNumber} of the provider's service code, in its country id (null: the provider's own
   * default), at most at {@code maxPrice} (null: any).
   */
  public NumberReply getNumber(Peer peer, String service, Integer country, BigDecimal maxPrice)
      throws UpstreamException {
    Map<String, String> params = new LinkedHashMap<>();
    params.put("action", "getNumber");
    params.put("service", service);
    if (country != null) {
      params.put("country", String.valueOf(country));
    }
    if (maxPrice != null) {
      params.put("maxPrice", maxPrice.toPlainString());
    }
    return parseNumber(call(peer, params));
  }

  static NumberReply parseNumber(String answer) throws UpstreamException {
    if (answer.startsWith("ACCESS_NUMBER:")) {
      String[] parts = answer.split(":", -1);
      if (parts.length == 3
          && parts[1].matches("[0-9A-Za-z_-]{1,40}")
          && parts[2].matches("\\+?[0-9]{6,18}")) {
        return new NumberReply.Number(
            parts[1], parts[2].startsWith("+") ? parts[2] : "+" + parts[2]);
      }
      throw new UpstreamException("malformed ACCESS_NUMBER answer");
    }
    if (answer.equals("NO_NUMBERS") || answer.startsWith("WRONG_MAX_PRICE")) {
      return new NumberReply.NoNumbers(word(answer));
    }
    if (answer.matches("[A-Z_]{3,40}(:.*)?")) {
      return new NumberReply.Refused(word(answer));
    }
    throw new UpstreamException("not an answer of the protocol");
  }

  /** {@code setStatus}: the provider's answer word ({@code ACCESS_CANCEL}…). */
  public String setStatus(Peer peer, String activationId, int status) throws UpstreamException {
    String answer =
        call(
            peer,
            Map.of("action", "setStatus", "id", activationId, "status", String.valueOf(status)));
    if (!answer.matches("[A-Z_]{3,40}(:.*)?")) {
      throw new UpstreamException("not an answer of the protocol");
    }
    return answer;
  }

  /**
   * {@code getStatus}: the provider's answer ({@code STATUS_WAIT_CODE}, {@code STATUS_OK:<code>},
   * {@code STATUS_WAIT_RETRY:<code>}, {@code STATUS_CANCEL}, or an error word).
   */
  public String getStatus(Peer peer, String activationId) throws UpstreamException {
    String answer = call(peer, Map.of("action", "getStatus", "id", activationId));
    if (!answer.matches("[A-Z_]{3,40}(:.*)?")) {
      throw new UpstreamException("not an answer of the protocol");
    }
    return answer;
  }

  /** One price of a provider: what a number of a service costs in a country, and how many. */
  public record Price(int country, String service, BigDecimal cost, long count) {}

  /**
   * {@code getPrices}, of every service in every country the provider lists (or in {@code country}
   * only): entries it cannot read are left out.
   */
  public java.util.List<Price> getPrices(Peer peer, Integer country) throws UpstreamException {
    Map<String, String> params = new LinkedHashMap<>();
    params.put("action", "getPrices");
    if (country != null) {
      params.put("country", String.valueOf(country));
    }
    String answer = call(peer, params);
    JsonNode root;
    try {
      root = JSON.readTree(answer);
    } catch (IOException e) {
      throw new UpstreamException("getPrices answered " + word(answer));
    }
    if (root == null || !root.isObject()) {
      throw new UpstreamException("getPrices answered " + word(answer));
    }
    java.util.List<Price> prices = new java.util.ArrayList<>();
    for (var byCountry : root.properties()) {
      if (!byCountry.getKey().matches("[0-9]{1,4}") || !byCountry.getValue().isObject()) {
        continue;
      }
      int id = Integer.parseInt(byCountry.getKey());
      for (var byService : byCountry.getValue().properties()) {
        JsonNode entry = byService.getValue();
        Optional<BigDecimal> cost = decimal(entry.get("cost"));
        Optional<BigDecimal> count = decimal(entry.get("count"));
        if (cost.isPresent() && count.isPresent() && cost.get().signum() >= 0) {
          prices.add(
              new Price(id, byService.getKey(), cost.get(), Math.max(0, count.get().longValue())));
        }
      }
    }
    return prices;
  }

  private static Optional<BigDecimal> decimal(JsonNode node) {
    if (node == null) {
      return Optional.empty();
    }
    if (node.isNumber()) {
      return Optional.of(node.decimalValue());
    }
    if (node.isTextual() && node.asText().matches("[0-9]{1,12}(\\.[0-9]{1,8})?")) {
      return Optional.of(new BigDecimal(node.asText()));
    }
    return Optional.empty();
  }

  /** {@code getBalance}. */
  public BigDecimal getBalance(Peer peer) throws UpstreamException {
    String answer = call(peer, Map.of("action", "getBalance"));
    if (answer.startsWith("ACCESS_BALANCE:")) {
      try {
        return new BigDecimal(answer.substring("ACCESS_BALANCE:".length()).trim());
      } catch (NumberFormatException e) {
        throw new UpstreamException("malformed ACCESS_BALANCE answer");
      }
    }
    throw new UpstreamException("getBalance answered " + word(answer));
  }

  /** {@code getActiveActivations}: the provider's open activations, or an error word's failure. */
  public JsonNode getActiveActivations(Peer peer) throws UpstreamException {
    String answer = call(peer, Map.of("action", "getActiveActivations"));
    try {
      return JSON.readTree(answer);
    } catch (IOException e) {
      throw new UpstreamException("getActiveActivations answered " + word(answer));
    }
  }

  /** The first word of an answer, at most 40 characters: safe to log and to show an operator. */
  public static String word(String answer) {
    String w = answer.length() > 40 ? answer.substring(0, 40) : answer;
    return w.replaceAll("[^A-Za-z0-9_:.-]", "?");
  }

  private String call(Peer peer, Map<String, String> params) throws UpstreamException {
    StringJoiner form = new StringJoiner("&");
    form.add("api_key=" + URLEncoder.encode(peer.apiKey(), StandardCharsets.UTF_8));
    params.forEach(
        (k, v) ->
            form.add(
                URLEncoder.encode(k, StandardCharsets.UTF_8)
                    + "="
                    + URLEncoder.encode(v, StandardCharsets.UTF_8)));
    // A form post keeps the key out of the URL, and so out of proxies' and servers' logs.
    HttpRequest request =
        HttpRequest.newBuilder(peer.endpoint())
            .timeout(readTimeout)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form.toString()))
            .build();
    // The deadline covers the whole answer, body included: a provider that sends its headers and
    // then trickles its body is as dead as one that never answers.
    java.util.concurrent.CompletableFuture<Reply> reply =
        http.sendAsync(request, info -> new Limited(MAX_ANSWER_BYTES))
            .thenApply(response -> new Reply(response.statusCode(), response.body()));
    Reply r;
    try {
      r = reply.get(readTimeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      reply.cancel(true);
      throw new UpstreamException("timed out");
    } catch (java.util.concurrent.ExecutionException e) {
      Throwable cause =
          e.getCause() instanceof java.util.concurrent.CompletionException c
              ? c.getCause()
              : e.getCause();
      if (tooLong(cause)) {
        throw new UpstreamException("answer too long");
      }
      throw new UpstreamException(
          "connection failed: " + (cause == null ? "unknown" : cause.getClass().getSimpleName()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UpstreamException("interrupted");
    }
    if (r.status() >= 500 && r.status() != 503) {
      throw new UpstreamException("HTTP " + r.status());
    }
    String answer = new String(r.body(), StandardCharsets.UTF_8).strip();
    if (r.status() != 200 && !answer.matches("[A-Z_]{3,40}(:.*)?")) {
      throw new UpstreamException("HTTP " + r.status());
    }
    return answer;
  }

  private static boolean tooLong(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof TooLong) {
        return true;
      }
    }
    return false;
  }

  /** An answer longer than {@link #MAX_ANSWER_BYTES}. */
  private static final class TooLong extends IOException {
    TooLong() {
      super("answer too long", null);
    }
  }

  /**
   * A body gathered as it arrives, on the client's own threads, and refused past {@code limit}
   * bytes: no thread waits on a stream to read it.
   */
  private static final class Limited implements HttpResponse.BodySubscriber<byte[]> {
    private final int limit;
    private final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    private final java.util.concurrent.CompletableFuture<byte[]> body =
        new java.util.concurrent.CompletableFuture<>();
    private java.util.concurrent.Flow.Subscription subscription;

    Limited(int limit) {
      this.limit = limit;
    }

    @Override
    public java.util.concurrent.CompletionStage<byte[]> getBody() {
      return body;
    }

    @Override
    public void onSubscribe(java.util.concurrent.Flow.Subscription subscription) {
      this.subscription = subscription;
      subscription.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<java.nio.ByteBuffer> buffers) {
      for (java.nio.ByteBuffer buffer : buffers) {
        if (bytes.size() + buffer.remaining() > limit) {
          subscription.cancel();
          body.completeExceptionally(new TooLong());
          return;
        }
        byte[] chunk = new byte[buffer.remaining()];
        buffer.get(chunk);
        bytes.writeBytes(chunk);
      }
    }

    @Override
    public void onError(Throwable error) {
      body.completeExceptionally(error);
    }

    @Override
    public void onComplete() {
      body.complete(bytes.toByteArray());
    }
  }
}
