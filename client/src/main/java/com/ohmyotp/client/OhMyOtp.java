package com.ohmyotp.client;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.ohmyotp.client.Models.Balance;
import com.ohmyotp.client.Models.Cancellation;
import com.ohmyotp.client.Models.Code;
import com.ohmyotp.client.Models.Delivery;
import com.ohmyotp.client.Models.DeliveryList;
import com.ohmyotp.client.Models.HistoryEntry;
import com.ohmyotp.client.Models.HistoryPage;
import com.ohmyotp.client.Models.Me;
import com.ohmyotp.client.Models.Queued;
import com.ohmyotp.client.Models.Rental;
import com.ohmyotp.client.Models.RentalPage;
import com.ohmyotp.client.Models.RerentCheck;
import com.ohmyotp.client.Models.Service;
import com.ohmyotp.client.Models.ServiceList;
import com.ohmyotp.client.Models.Webhook;
import com.ohmyotp.client.Models.WebhookList;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * The ohmyotp API from Java.
 *
 * <pre>{@code
 * OhMyOtp api = OhMyOtp.create("http://localhost:8080", System.getenv("API_KEY"));
 * Rental rental = api.rent("Uber");
 * System.out.println("Phone: " + rental.phoneNumber());
 * Optional<Code> code = api.waitForCode(rental, Duration.ofMinutes(2));
 * if (code.isEmpty()) {
 *   api.cancel(rental.id()); // refunded: no SMS came
 * }
 * }</pre>
 *
 * <p>Every method throws {@link OhMyOtpException} for an error answer, with the API's error code,
 * the HTTP status and the request id. Answers 429 (after its {@code Retry-After}), 502 and 503, and
 * failed connections, are tried again with capped exponential backoff and jitter, but only where
 * that is safe: reads, and writes that carry an idempotency key ({@link #rent} and {@link #rerent}
 * make one themselves). Instances are thread-safe.
 *
 * <p>One class past 300 lines on purpose: it is the SDK's whole surface, one method an endpoint,
 * over one private sending path (retries, errors), so that a user reads one type to know the API.
 */
public final class OhMyOtp {

  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .build();

  /** The most rows the server gives in one page. */
  static final int PAGE_LIMIT = 200;

  private final String origin;
  private final String base;
  private final String apiKey;
  private final HttpClient http;
  private final int maxRetries;
  private final Duration firstBackoff;
  private final Duration maxBackoff;

  private OhMyOtp(Builder b) {
    this.origin = b.baseUrl.replaceAll("/+$", "");
    this.base = origin + "/api/v1";
    this.apiKey = Objects.requireNonNull(b.apiKey, "apiKey");
    this.http =
        b.http != null
            ? b.http
            : HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    this.maxRetries = b.maxRetries;
    this.firstBackoff = b.firstBackoff;
    this.maxBackoff = b.maxBackoff;
  }

  /** A client for the server at {@code baseUrl} (e.g. {@code https://ohmyotp.com}). */
  public static OhMyOtp create(String baseUrl, String apiKey) {
    return builder().baseUrl(baseUrl).apiKey(apiKey).build();
  }

  /** Settings for a client other than the defaults of {@link #create}. */
  public static Builder builder() {
    return new Builder();
  }

  /** Settings of a client; only the key is required. */
  public static final class Builder {
    private String baseUrl = "http://localhost:8080";
    private String apiKey;
    private HttpClient http;
    private int maxRetries = 4;
    private Duration firstBackoff = Duration.ofMillis(500);
    private Duration maxBackoff = Duration.ofSeconds(30);

    private Builder() {}

    /** The server's address, without {@code /api/v1}; {@code http://localhost:8080} by default. */
    public Builder baseUrl(String baseUrl) {
      this.baseUrl = Objects.requireNonNull(baseUrl, "baseUrl");
      return this;
    }

    public Builder apiKey(String apiKey) {
      this.apiKey = apiKey;
      return this;
    }

    /** The JDK client to send with, for a proxy or an executor of your own. */
    public Builder httpClient(HttpClient http) {
      this.http = http;
      return this;
    }

    /** How often a safe request is tried again after 429, 502, 503 or no connection; 4. */
    public Builder maxRetries(int maxRetries) {
      if (maxRetries < 0) {
        throw new IllegalArgumentException("maxRetries must be 0 or more");
      }
      this.maxRetries = maxRetries;
      return this;
    }

    /** The wait before the first retry (500 ms) and the most any wait grows to (30 s). */
    public Builder backoff(Duration first, Duration max) {
      this.firstBackoff = Objects.requireNonNull(first);
      this.maxBackoff = Objects.requireNonNull(max);
      return this;
    }

    public OhMyOtp build() {
      return new OhMyOtp(this);
    }
  }

  /** The server this client talks to, as given. */
  public String baseUrl() {
    return origin;
  }

  /** The account of the key: its id, email and balance. */
  public Me me() {
    return get("/user/me", Me.class);
  }

  /** Every service a number can be rented for, with its price and the numbers free now. */
  public List<Service> services() {
    return get("/services", ServiceList.class).services();
  }

  /** The services with how many numbers of one country ({@code US}, ISO 3166) are free. */
  public List<Service> services(String country) {
    return get("/services?country=" + encode(country), ServiceList.class).services();
  }

  /** One service by name ({@code Uber}) or id ({@code AppID-3}). */
  public Service service(String nameOrId) {
    return get("/services/" + encode(nameOrId), Service.class);
  }

  /** The balance and the 50 newest ledger rows. */
  public Balance balance() {
    return get("/balance", Balance.class);
  }

  /**
   * Redeems a prepaid voucher into the balance. Not retried: a code works once, so a repeat after a
   * lost answer would be refused as used.
   */
  public Models.Redeemed redeem(String code) {
    return send(
        new Call("POST", "/balance/redeem", false).body(Map.of("code", code)),
        Models.Redeemed.class);
  }

  /**
   * Rents a fresh number for a service, by the service's name. The request carries an idempotency
   * key of its own, so a retry after a lost answer returns the same rental and charges once.
   */
  public Rental rent(String service) {
    return rent(service, UUID.randomUUID().toString());
  }

  /** Like {@link #rent(String)}, with your key: a later call with it returns the same rental. */
  public Rental rent(String service, String idempotencyKey) {
    return rent(service, null, idempotencyKey);
  }

  /** Rents a number of one country ({@code US}, ISO 3166), or any when {@code country} is null. */
  public Rental rent(String service, String country, String idempotencyKey) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("service_id", service);
    if (country != null) {
      body.put("country", country);
    }
    return send(
        new Call("POST", "/rentals", true).body(body).header("Idempotency-Key", idempotencyKey),
        Rental.class);
  }

  /** Rents again a number used before for the same service, with a key of its own. */
  public Rental rerent(String service, String phoneNumber) {
    return rerent(service, phoneNumber, "rerent-" + UUID.randomUUID());
  }

  /** Like {@link #rerent(String, String)} with your key (8 to 255 characters). */
  public Rental rerent(String service, String phoneNumber, String idempotencyKey) {
    return send(
        new Call("POST", "/rentals/rerent?idempotency_key=" + encode(idempotencyKey), true)
            .body(Map.of("service_id", service, "phone_number", phoneNumber)),
        Rental.class);
  }

  /** Which of up to 100 numbers could be re-rented for a service now. Changes nothing. */
  public RerentCheck rerentCheck(String service, List<String> phoneNumbers) {
    return send(
        new Call("POST", "/rentals/rerent/check", true)
            .body(Map.of("service_id", service, "phone_numbers", phoneNumbers)),
        RerentCheck.class);
  }

  /** A rental and every SMS it received. */
  public Rental rental(String id) {
    return get("/rentals/" + encode(id), Rental.class);
  }

  /** The newest code of a rental; {@code code()} is null until one arrives. */
  public Code code(String id) {
    return get("/rentals/" + encode(id) + "/code", Code.class);
  }

  /** Releases the number: refunded in full when no SMS has arrived. Not retried. */
  public Cancellation cancel(String id) {
    return send(new Call("POST", "/rentals/" + encode(id) + "/cancel", false), Cancellation.class);
  }

  /** Says a number did not work; refunded in full when no SMS has arrived. Not retried. */
  public Cancellation report(String id, Models.ReportReason reason) {
    return send(
        new Call("POST", "/rentals/" + encode(id) + "/report", false)
            .body(Map.of("reason", reason.wire())),
        Cancellation.class);
  }

  /** The rentals holding their number, newest first (the first 200). */
  public RentalPage active() {
    return get("/rentals/active?limit=" + PAGE_LIMIT, RentalPage.class);
  }

  /**
   * One page of the rental history, newest first.
   *
   * @param status {@code all}, {@code active}, {@code completed}, {@code expired} or {@code
   *     cancelled}
   * @param usedOnly only rentals that received an SMS
   * @param page from 1
   * @param limit 1 to 200
   */
  public HistoryPage history(String status, boolean usedOnly, int page, int limit) {
    return get(
        "/rentals/history?status="
            + encode(status)
            + "&used="
            + usedOnly
            + "&page="
            + page
            + "&limit="
            + limit,
        HistoryPage.class);
  }

  /**
   * The whole rental history, newest first, fetched a page at a time as the stream is read.
   *
   * @see #history(String, boolean, int, int)
   */
  public Stream<HistoryEntry> history(String status, boolean usedOnly) {
    Iterator<HistoryEntry> entries =
        new Iterator<>() {
          private int page = 0;
          private Iterator<HistoryEntry> current = List.<HistoryEntry>of().iterator();
          private boolean last;

          @Override
          public boolean hasNext() {
            while (!current.hasNext() && !last) {
              HistoryPage next = history(status, usedOnly, ++page, PAGE_LIMIT);
              current = next.rentals().iterator();
              last = next.rentals().size() < PAGE_LIMIT || (long) page * PAGE_LIMIT >= next.total();
            }
            return current.hasNext();
          }

          @Override
          public HistoryEntry next() {
            if (!hasNext()) {
              throw new NoSuchElementException();
            }
            return current.next();
          }
        };
    return StreamSupport.stream(
        () -> java.util.Spliterators.spliteratorUnknownSize(entries, 0), 0, false);
  }

  /**
   * Waits until a code arrives, the rental ends or {@code timeout} passes. The server holds each
   * request until it has something new (a long-poll, {@code /code?wait=}, at most a minute a
   * request), so the code comes the moment its SMS does; a server that answers at once instead is
   * asked again every five seconds.
   *
   * @return the code, or empty when none came in time or the rental ended without one
   */
  public Optional<Code> waitForCode(Rental rental, Duration timeout) {
    return waitForCode(rental.id(), timeout);
  }

  /** {@link #waitForCode(Rental, Duration)} by the rental's id. */
  public Optional<Code> waitForCode(String id, Duration timeout) {
    Instant deadline = Instant.now().plus(timeout);
    while (true) {
      long left = Duration.between(Instant.now(), deadline).toSeconds();
      int wait = (int) Math.max(0, Math.min(60, left));
      Instant asked = Instant.now();
      Code code =
          send(
              new Call("GET", "/rentals/" + encode(id) + "/code?wait=" + wait + "&after=0", true)
                  .timeout(Duration.ofSeconds(wait + 30)),
              Code.class);
      if (code.code() != null) {
        return Optional.of(code);
      }
      if (!code.status().equals("active") || !Instant.now().isBefore(deadline)) {
        return Optional.empty();
      }
      if (Duration.between(asked, Instant.now()).toSeconds() < Math.min(wait, 5)) {
        // Answered at once with nothing new: a server without long-polls. Poll gently.
        sleep(Math.min(5_000, Math.max(1, Duration.between(Instant.now(), deadline).toMillis())));
      }
    }
  }

  /**
   * Follows the account's events as the server pushes them ({@code GET /events}, server-sent
   * events) and hands each to {@code onEvent} on a thread of its own, until the returned stream is
   * closed or the server ends it.
   *
   * @param lastEventId the {@link Models.Event#id()} to resume after, or null for new events only
   */
  public EventStream events(String lastEventId, Consumer<Models.Event> onEvent) {
    return follow("/events", lastEventId, onEvent);
  }

  /** {@link #events(String, Consumer)} of one rental. */
  public EventStream events(Rental rental, String lastEventId, Consumer<Models.Event> onEvent) {
    return follow("/rentals/" + encode(rental.id()) + "/events", lastEventId, onEvent);
  }

  /** A stream of events being followed; {@link #close()} stops it. */
  public static final class EventStream implements AutoCloseable {
    private final CompletableFuture<?> reading;
    private volatile Stream<String> lines;
    private volatile boolean closed;

    private EventStream(CompletableFuture<?> reading) {
      this.reading = reading;
    }

    /** Whether the stream has ended (closed, refused or ended by the server). */
    public boolean isDone() {
      return reading.isDone();
    }

    /** Waits for the stream to end; its failure, such as a refused key, is thrown here. */
    public void join() {
      try {
        reading.join();
      } catch (java.util.concurrent.CompletionException e) {
        if (e.getCause() instanceof OhMyOtpException api) {
          throw api;
        }
        throw e;
      }
    }

    @Override
    public void close() {
      closed = true;
      Stream<String> open = lines;
      if (open != null) {
        open.close();
      }
      reading.cancel(true);
    }
  }

  private EventStream follow(String path, String lastEventId, Consumer<Models.Event> onEvent) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(base + path))
            .header("Authorization", "Bearer " + apiKey)
            .header("Accept", "text/event-stream")
            .header("User-Agent", "ohmyotp-java");
    if (lastEventId != null) {
      request.header("Last-Event-ID", lastEventId);
    }
    EventStream[] stream = new EventStream[1];
    CompletableFuture<Void> reading =
        http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofLines())
            .thenAcceptAsync(
                response -> {
                  if (response.statusCode() >= 400) {
                    String body =
                        response.body().collect(java.util.stream.Collectors.joining("\n"));
                    throw error(
                        response.statusCode(),
                        body.getBytes(StandardCharsets.UTF_8),
                        response.headers().firstValue("X-Request-Id").orElse(null));
                  }
                  stream[0].lines = response.body();
                  if (stream[0].closed) {
                    response.body().close();
                    return;
                  }
                  readEvents(response.body(), onEvent);
                });
    stream[0] = new EventStream(reading);
    return stream[0];
  }

  private static void readEvents(Stream<String> lines, Consumer<Models.Event> onEvent) {
    String[] id = {null};
    String[] name = {null};
    StringBuilder data = new StringBuilder();
    try {
      lines.forEach(
          line -> {
            if (line.isEmpty()) {
              if (!data.isEmpty()) {
                try {
                  onEvent.accept(
                      new Models.Event(
                          id[0], name[0], JSON.readValue(data.toString(), Models.EventData.class)));
                } catch (IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              }
              name[0] = null;
              data.setLength(0);
            } else if (line.startsWith("id:")) {
              id[0] = line.substring(3).strip();
            } else if (line.startsWith("event:")) {
              name[0] = line.substring(6).strip();
            } else if (line.startsWith("data:")) {
              data.append(data.isEmpty() ? "" : "\n").append(line.substring(5).strip());
            }
          });
    } catch (java.io.UncheckedIOException closed) {
      // The stream was closed.
    }
  }

  /**
   * Registers a webhook endpoint. The answer's {@code secret} is shown this once.
   *
   * @param events the events to send: {@code sms.received}, {@code rental.completed}, {@code
   *     rental.expired}, {@code rental.cancelled}, {@code balance.low}
   */
  public Webhook createWebhook(String url, List<String> events) {
    return send(
        new Call("POST", "/webhooks", false).body(Map.of("url", url, "events", events)),
        Webhook.class);
  }

  /** The account's webhook endpoints (without their secrets). */
  public List<Webhook> webhooks() {
    return get("/webhooks", WebhookList.class).webhooks();
  }

  /** One webhook endpoint. */
  public Webhook webhook(String id) {
    return get("/webhooks/" + encode(id), Webhook.class);
  }

  /** Deletes an endpoint; nothing more is sent to it. */
  public void deleteWebhook(String id) {
    send(new Call("DELETE", "/webhooks/" + encode(id), true), JsonNode.class);
  }

  /** A new secret; the old one signs too for 24 hours. */
  public Webhook rotateWebhookSecret(String id) {
    return send(new Call("POST", "/webhooks/" + encode(id) + "/rotate", false), Webhook.class);
  }

  /** Sends to an endpoint disabled after failing (or answering 410) again. */
  public Webhook enableWebhook(String id) {
    return send(new Call("POST", "/webhooks/" + encode(id) + "/enable", true), Webhook.class);
  }

  /** Queues a test event to the endpoint. */
  public Queued testWebhook(String id) {
    return send(new Call("POST", "/webhooks/" + encode(id) + "/test", false), Queued.class);
  }

  /** The newest deliveries to an endpoint. */
  public List<Delivery> deliveries(String id) {
    return get("/webhooks/" + encode(id) + "/deliveries", DeliveryList.class).deliveries();
  }

  /** Queues a failed delivery again. */
  public Queued replay(String webhookId, long deliveryId) {
    return send(
        new Call(
            "POST",
            "/webhooks/" + encode(webhookId) + "/deliveries/" + deliveryId + "/replay",
            false),
        Queued.class);
  }

  private <T> T get(String path, Class<T> type) {
    return send(new Call("GET", path, true), type);
  }

  /** One request: what to send, and whether sending it twice is harmless. */
  private static final class Call {
    final String method;
    final String path;
    final boolean safeToRepeat;
    final Map<String, String> headers = new LinkedHashMap<>();
    Object body;
    Duration timeout = Duration.ofSeconds(30);

    Call(String method, String path, boolean safeToRepeat) {
      this.method = method;
      this.path = path;
      this.safeToRepeat = safeToRepeat;
    }

    Call body(Object body) {
      this.body = body;
      return this;
    }

    Call header(String name, String value) {
      headers.put(name, value);
      return this;
    }

    Call timeout(Duration timeout) {
      this.timeout = timeout;
      return this;
    }
  }

  private <T> T send(Call call, Class<T> type) {
    for (int attempt = 0; ; attempt++) {
      HttpResponse<byte[]> response;
      try {
        response = http.send(request(call), HttpResponse.BodyHandlers.ofByteArray());
      } catch (IOException e) {
        if (call.safeToRepeat && attempt < maxRetries) {
          sleep(backoff(attempt).toMillis());
          continue;
        }
        throw new OhMyOtpException(
            0,
            OhMyOtpException.CONNECTION_FAILED,
            "Cannot reach " + origin + ": " + describe(e),
            null);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new OhMyOtpException(0, "interrupted", "Interrupted while waiting for " + origin);
      }
      int status = response.statusCode();
      if (status >= 400) {
        boolean transient_ = status == 429 || status == 502 || status == 503;
        if (transient_ && call.safeToRepeat && attempt < maxRetries) {
          sleep(wait(response, attempt).toMillis());
          continue;
        }
        throw error(response);
      }
      try {
        return JSON.readValue(response.body(), type);
      } catch (IOException e) {
        throw new OhMyOtpException(
            status,
            "invalid_answer",
            "The server's answer is not what this client reads: " + e.getMessage(),
            response.headers().firstValue("X-Request-Id").orElse(null));
      }
    }
  }

  private HttpRequest request(Call call) {
    try {
      HttpRequest.Builder request =
          HttpRequest.newBuilder(URI.create(base + call.path))
              .timeout(call.timeout)
              .header("Authorization", "Bearer " + apiKey)
              .header("Accept", "application/json")
              .header("User-Agent", "ohmyotp-java")
              .method(
                  call.method,
                  call.body == null
                      ? HttpRequest.BodyPublishers.noBody()
                      : HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(call.body)));
      if (call.body != null) {
        request.header("Content-Type", "application/json");
      }
      call.headers.forEach(request::header);
      return request.build();
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot write the request body", e);
    }
  }

  /** The wait before trying again: the server's {@code Retry-After} if longer than ours. */
  private Duration wait(HttpResponse<?> response, int attempt) {
    Duration ours = backoff(attempt);
    Optional<String> retryAfter = response.headers().firstValue("Retry-After");
    if (retryAfter.isPresent()) {
      try {
        Duration theirs = Duration.ofSeconds(Long.parseLong(retryAfter.get().trim()));
        return theirs.compareTo(ours) > 0 ? min(theirs, Duration.ofMinutes(2)) : ours;
      } catch (NumberFormatException e) {
        // An HTTP date: rare from this server; our own backoff will do.
      }
    }
    return ours;
  }

  /** Full jitter: a random wait up to {@code first · 2^attempt}, at most {@code max}. */
  Duration backoff(int attempt) {
    long ceiling = firstBackoff.toMillis() << Math.min(attempt, 20);
    long capped = Math.min(ceiling, maxBackoff.toMillis());
    return Duration.ofMillis(capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1));
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private static String describe(IOException e) {
    String name = e.getClass().getSimpleName();
    if (e instanceof java.net.ConnectException) {
      return "connection refused";
    }
    if (e instanceof java.net.http.HttpTimeoutException) {
      return "timed out";
    }
    return e.getMessage() == null ? name : name + ": " + e.getMessage();
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new OhMyOtpException(0, "interrupted", "Interrupted while waiting to try again");
    }
  }

  private static OhMyOtpException error(HttpResponse<byte[]> response) {
    return error(
        response.statusCode(),
        response.body(),
        response.headers().firstValue("X-Request-Id").orElse(null));
  }

  private static OhMyOtpException error(int status, byte[] answer, String requestId) {
    try {
      JsonNode body = JSON.readTree(answer);
      return new OhMyOtpException(
          status,
          body.path("error").asText("http_error"),
          body.path("message").asText(""),
          requestId);
    } catch (IOException e) {
      return new OhMyOtpException(
          status, "http_error", new String(answer, StandardCharsets.UTF_8), requestId);
    }
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
