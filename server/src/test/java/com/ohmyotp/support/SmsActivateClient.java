package com.ohmyotp.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;

/**
 * A client of the SMS-Activate protocol as its public documentation describes it, the way the
 * field's libraries and bots speak it: GET {@code handler_api.php} with {@code api_key} and {@code
 * action}, answers as text ({@code ACCESS_NUMBER:<id>:<phone>}) or JSON. Written from that
 * documentation alone, so that it tests the server against the protocol and not against itself.
 */
public final class SmsActivateClient {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http =
      HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(5))
          .version(HttpClient.Version.HTTP_1_1)
          .build();
  private final String endpoint;
  private final String apiKey;

  /**
   * @param baseUrl where the service runs; the protocol's clients are configured with {@code
   *     <baseUrl>/stubs/handler_api.php}
   */
  /** The body of the form being posted, for the document check (a GET sends none). */
  private byte[] lastForm;

  public SmsActivateClient(String baseUrl, String apiKey) {
    this.endpoint = baseUrl + "/stubs/handler_api.php";
    this.apiKey = apiKey;
  }

  /** One answer: the HTTP status, the content type and the body as sent. */
  public record Answer(int status, String contentType, String text) {
    public JsonNode json() {
      try {
        return JSON.readTree(text);
      } catch (IOException e) {
        throw new AssertionError("not JSON (" + status + "): " + text, e);
      }
    }
  }

  /** {@code ACCESS_NUMBER:<activation id>:<phone>}, as a client reads it. */
  public record Number(long activationId, String phone) {
    static Number parse(String answer) {
      String[] parts = answer.split(":");
      if (parts.length != 3 || !parts[0].equals("ACCESS_NUMBER")) {
        throw new ProtocolError(answer);
      }
      return new Number(Long.parseLong(parts[1]), parts[2]);
    }
  }

  /** An answer that is not the one asked for: the protocol's error word. */
  public static final class ProtocolError extends RuntimeException {
    public ProtocolError(String answer) {
      super(answer);
    }

    public String answer() {
      return getMessage();
    }
  }

  public String getBalance() {
    return call("action", "getBalance").text();
  }

  /** {@code getNumber}; throws {@link ProtocolError} with NO_BALANCE, NO_NUMBERS and the like. */
  public Number getNumber(String service, String country) {
    return Number.parse(
        country == null
            ? call("action", "getNumber", "service", service).text()
            : call("action", "getNumber", "service", service, "country", country).text());
  }

  public String getStatus(long activationId) {
    return call("action", "getStatus", "id", String.valueOf(activationId)).text();
  }

  public String setStatus(long activationId, int status) {
    return call(
            "action",
            "setStatus",
            "id",
            String.valueOf(activationId),
            "status",
            String.valueOf(status))
        .text();
  }

  /** Any action with any parameters, in the query string of a GET; pairs of name and value. */
  public Answer call(String... pairs) {
    Map<String, String> params = new LinkedHashMap<>();
    params.put("api_key", apiKey);
    for (int i = 0; i < pairs.length; i += 2) {
      params.put(pairs[i], pairs[i + 1]);
    }
    return get(query(params));
  }

  /** A GET with exactly this query string (no key added). */
  public Answer get(String query) {
    lastForm = null;
    return send(HttpRequest.newBuilder(URI.create(endpoint + "?" + query)).GET(), Map.of());
  }

  /** A form POST with exactly this body, and the given headers. */
  public Answer postForm(String body, Map<String, String> headers) {
    lastForm = body.getBytes(StandardCharsets.UTF_8);
    return send(
        HttpRequest.newBuilder(URI.create(endpoint))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(body)),
        headers);
  }

  public static String query(Map<String, String> params) {
    StringJoiner query = new StringJoiner("&");
    params.forEach(
        (k, v) ->
            query.add(
                URLEncoder.encode(k, StandardCharsets.UTF_8)
                    + "="
                    + URLEncoder.encode(v, StandardCharsets.UTF_8)));
    return query.toString();
  }

  private Answer send(HttpRequest.Builder request, Map<String, String> headers) {
    headers.forEach(request::header);
    try {
      HttpRequest sent = request.timeout(Duration.ofSeconds(30)).build();
      HttpResponse<String> r =
          http.send(sent, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      URI uri = sent.uri();
      ApiDocumentCheck.check(
          sent.method(),
          uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()),
          sent.headers(),
          sent.bodyPublisher().map(b -> lastForm).orElse(null),
          r.statusCode(),
          r.headers(),
          r.body());
      return new Answer(
          r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
