package com.ohmyotp.client;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.ohmyotp.client.Models.Balance;
import com.ohmyotp.client.Models.Cancellation;
import com.ohmyotp.client.Models.Code;
import com.ohmyotp.client.Models.HistoryPage;
import com.ohmyotp.client.Models.Me;
import com.ohmyotp.client.Models.Rental;
import com.ohmyotp.client.Models.RentalPage;
import com.ohmyotp.client.Models.RerentCheck;
import com.ohmyotp.client.Models.Service;
import com.ohmyotp.client.Models.ServiceList;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The ohmyotp API from Java.
 *
 * <pre>{@code
 * OhMyOtp api = OhMyOtp.create("http://localhost:8080", System.getenv("API_KEY"));
 * Rental rental = api.rent("Uber");
 * Optional<Code> code = api.awaitCode(rental.id(), Duration.ofMinutes(2));
 * }</pre>
 *
 * Every method throws {@link OhMyOtpException} for an error answer. Instances are thread-safe.
 */
public final class OhMyOtp {

  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .build();

  private final String base;
  private final String apiKey;
  private final HttpClient http;

  private OhMyOtp(String base, String apiKey, HttpClient http) {
    this.base = base.replaceAll("/+$", "") + "/api/v1";
    this.apiKey = Objects.requireNonNull(apiKey, "apiKey");
    this.http = http;
  }

  /** A client for the server at {@code baseUrl} (e.g. {@code https://ohmyotp.com}). */
  public static OhMyOtp create(String baseUrl, String apiKey) {
    return new OhMyOtp(
        baseUrl, apiKey, HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build());
  }

  public Me me() {
    return get("/user/me", Me.class);
  }

  public List<Service> services() {
    return get("/services", ServiceList.class).services();
  }

  /** One service by name ({@code Uber}) or id ({@code AppID-3}). */
  public Service service(String nameOrId) {
    return get("/services/" + encode(nameOrId), Service.class);
  }

  public Balance balance() {
    return get("/balance", Balance.class);
  }

  /** Rents a fresh number for a service, by the service's name. */
  public Rental rent(String service) {
    return send("POST", "/rentals", Map.of("service_id", service), Map.of(), Rental.class);
  }

  /** Like {@link #rent(String)}; a retry with the same key returns the same rental. */
  public Rental rent(String service, String idempotencyKey) {
    return send(
        "POST",
        "/rentals",
        Map.of("service_id", service),
        Map.of("Idempotency-Key", idempotencyKey),
        Rental.class);
  }

  /** Rents again a number used before for the same service. */
  public Rental rerent(String service, String phoneNumber, String idempotencyKey) {
    return send(
        "POST",
        "/rentals/rerent?idempotency_key=" + encode(idempotencyKey),
        Map.of("service_id", service, "phone_number", phoneNumber),
        Map.of(),
        Rental.class);
  }

  /** Which of up to 100 numbers could be re-rented for a service now. */
  public RerentCheck checkRerent(String service, List<String> phoneNumbers) {
    return send(
        "POST",
        "/rentals/rerent/check",
        Map.of("service_id", service, "phone_numbers", phoneNumbers),
        Map.of(),
        RerentCheck.class);
  }

  public Rental rental(String id) {
    return get("/rentals/" + encode(id), Rental.class);
  }

  /** The newest code of a rental; {@code code()} is null until one arrives. */
  public Code code(String id) {
    return get("/rentals/" + encode(id) + "/code", Code.class);
  }

  public Cancellation cancel(String id) {
    return send("POST", "/rentals/" + encode(id) + "/cancel", null, Map.of(), Cancellation.class);
  }

  public RentalPage active() {
    return get("/rentals/active", RentalPage.class);
  }

  /**
   * The rental history, newest first.
   *
   * @param status {@code all}, {@code active}, {@code completed}, {@code expired} or {@code
   *     cancelled}
   * @param usedOnly only rentals that received an SMS
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
   * Waits until a code arrives, the rental ends or {@code timeout} passes. The server holds each
   * request until it has something new (a long-poll, {@code /code?wait=}, at most a minute a
   * request), so the code comes the moment its SMS does; a server that answers at once instead is
   * asked again every five seconds.
   */
  public Optional<Code> awaitCode(String id, Duration timeout) {
    Instant deadline = Instant.now().plus(timeout);
    while (true) {
      long left = Duration.between(Instant.now(), deadline).toSeconds();
      int wait = (int) Math.max(0, Math.min(60, left));
      Instant asked = Instant.now();
      Code code =
          send(
              "GET",
              "/rentals/" + encode(id) + "/code?wait=" + wait + "&after=0",
              null,
              Map.of(),
              Code.class,
              Duration.ofSeconds(wait + 30));
      if (code.code() != null) {
        return Optional.of(code);
      }
      if (!code.status().equals("active") || !Instant.now().isBefore(deadline)) {
        return Optional.empty();
      }
      if (Duration.between(asked, Instant.now()).toSeconds() < Math.min(wait, 5)) {
        // Answered at once with nothing new: a server without long-polls. Poll gently.
        try {
          Thread.sleep(
              Math.min(5_000, Math.max(1, Duration.between(Instant.now(), deadline).toMillis())));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return Optional.empty();
        }
      }
    }
  }

  private <T> T get(String path, Class<T> type) {
    return send("GET", path, null, Map.of(), type);
  }

  private <T> T send(
      String method, String path, Object body, Map<String, String> headers, Class<T> type) {
    return send(method, path, body, headers, type, Duration.ofSeconds(30));
  }

  private <T> T send(
      String method,
      String path,
      Object body,
      Map<String, String> headers,
      Class<T> type,
      Duration timeout) {
    try {
      HttpRequest.Builder request =
          HttpRequest.newBuilder(URI.create(base + path))
              .timeout(timeout)
              .header("Authorization", "Bearer " + apiKey)
              .header("Accept", "application/json")
              .method(
                  method,
                  body == null
                      ? HttpRequest.BodyPublishers.noBody()
                      : HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
      if (body != null) {
        request.header("Content-Type", "application/json");
      }
      headers.forEach(request::header);
      HttpResponse<byte[]> response =
          http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
      if (response.statusCode() >= 400) {
        throw error(response);
      }
      return JSON.readValue(response.body(), type);
    } catch (IOException e) {
      throw new OhMyOtpException(0, "connection_failed", e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new OhMyOtpException(0, "interrupted", "interrupted");
    }
  }

  private static OhMyOtpException error(HttpResponse<byte[]> response) {
    try {
      JsonNode body = JSON.readTree(response.body());
      return new OhMyOtpException(
          response.statusCode(),
          body.path("error").asText("http_error"),
          body.path("message").asText(""));
    } catch (IOException e) {
      return new OhMyOtpException(
          response.statusCode(), "http_error", new String(response.body(), StandardCharsets.UTF_8));
    }
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
