package com.ohmyotp.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/**
 * A plain HTTP client for tests: real requests over a real socket, JSON bodies as trees. Every
 * exchange is checked against the OpenAPI document ({@link ApiDocumentCheck}).
 */
public final class Http {

  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient client =
      HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(5))
          .version(HttpClient.Version.HTTP_1_1)
          .build();
  private final String base;

  public Http(String base) {
    this.base = base;
  }

  /** What came back: status, headers and the body as text and (when it is JSON) as a tree. */
  public record Response(int status, java.net.http.HttpHeaders headers, String text) {
    public JsonNode json() {
      try {
        return JSON.readTree(text);
      } catch (IOException e) {
        throw new AssertionError("not JSON (" + status + "): " + text, e);
      }
    }

    public String header(String name) {
      return headers.firstValue(name).orElse(null);
    }
  }

  public Response get(String path, String bearer) {
    return send("GET", path, bearer, null, Map.of());
  }

  public Response post(String path, String bearer, String body) {
    return send("POST", path, bearer, body, Map.of());
  }

  public Response send(
      String method, String path, String bearer, String body, Map<String, String> headers) {
    return sendBytes(
        method, path, bearer, body == null ? null : body.getBytes(StandardCharsets.UTF_8), headers);
  }

  public Response sendBytes(
      String method, String path, String bearer, byte[] body, Map<String, String> headers) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(Duration.ofSeconds(30))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(body));
    if (bearer != null) {
      request.header("Authorization", "Bearer " + bearer);
    }
    if (body != null && headers.keySet().stream().noneMatch("Content-Type"::equalsIgnoreCase)) {
      request.header("Content-Type", "application/json");
    }
    headers.forEach(request::header);
    // A server refusing a body larger than it accepts answers and closes while the client may
    // still be writing it; TCP can then reset the connection before the client reads the answer.
    // That race is the transport's, not the server's: such a request is sent up to three times.
    int attempts = body != null && body.length > 1024 * 1024 ? 3 : 1;
    try {
      for (int attempt = 1; ; attempt++) {
        try {
          HttpRequest sent = request.build();
          HttpResponse<String> response = client.send(sent, HttpResponse.BodyHandlers.ofString());
          ApiDocumentCheck.check(
              method,
              path,
              sent.headers(),
              body,
              response.statusCode(),
              response.headers(),
              response.body());
          return new Response(response.statusCode(), response.headers(), response.body());
        } catch (IOException e) {
          if (attempt >= attempts) {
            throw e;
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
