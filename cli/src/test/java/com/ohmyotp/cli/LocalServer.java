package com.ohmyotp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.ohmyotp.Application;
import com.ohmyotp.Config;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/** A real server on the embedded database in a fresh folder, for the commands to talk to. */
final class LocalServer implements AutoCloseable {

  static final String ADMIN_TOKEN = "cli-test-admin-token-0123456789";

  final Application app;
  final String url;
  private final Path dataDir;
  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper json = new ObjectMapper();

  LocalServer() {
    try {
      dataDir = Files.createTempDirectory("ohmyotp-cli-test-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Map<String, String> settings = new HashMap<>();
    settings.put("OHMYOTP_PORT", "0");
    settings.put("OHMYOTP_DATA_DIR", dataDir.toString());
    settings.put("OHMYOTP_ADMIN_TOKEN", ADMIN_TOKEN);
    settings.put("OHMYOTP_SIMULATOR_DELAY", "off");
    settings.put("OHMYOTP_SEED_DEMO", "false");
    app = Application.start(Config.from(settings), Clock.systemUTC());
    url = "http://127.0.0.1:" + app.port();
  }

  /** An operator call; returns the answer's status and JSON. */
  record Answer(int status, JsonNode json) {}

  Answer admin(String method, String path, String body) {
    return send(method, path, ADMIN_TOKEN, body);
  }

  Answer send(String method, String path, String bearer, String body) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(url + path))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body))
            .header("Content-Type", "application/json");
    if (bearer != null) {
      request.header("Authorization", "Bearer " + bearer);
    }
    try {
      HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      return new Answer(r.statusCode(), r.body().isEmpty() ? null : json.readTree(r.body()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** A customer with a rental of a fresh gateway number: the customer's key, the rental. */
  record Rented(String key, String rentalId, String phone) {}

  Rented rentGatewayNumber(String number) {
    String service = "Cli" + System.nanoTime();
    assertThat(
            admin(
                    "POST",
                    "/api/admin/services",
                    "{\"name\":\""
                        + service
                        + "\",\"category\":\"Test\",\"price\":1,\"source\":\"gateway\"}")
                .status())
        .isEqualTo(201);
    assertThat(
            admin(
                    "POST",
                    "/api/admin/numbers",
                    "{\"source\":\"gateway\",\"numbers\":[{\"phone_number\":\"" + number + "\"}]}")
                .status())
        .isEqualTo(201);
    Answer account =
        admin(
            "POST",
            "/api/admin/accounts",
            "{\"email\":\"c" + System.nanoTime() + "@example.com\",\"balance\":5}");
    String key = account.json().get("api_key").asText();
    Answer rental = send("POST", "/api/v1/rentals", key, "{\"service_id\":\"" + service + "\"}");
    assertThat(rental.status()).isEqualTo(201);
    return new Rented(
        key, rental.json().get("id").asText(), rental.json().get("phone_number").asText());
  }

  /** An SMS to {@code to}, as a gateway posts it, signed with the server's gateway secret. */
  void sms(String to, String from, String text) {
    String body = "{\"to\":\"" + to + "\",\"from\":\"" + from + "\",\"text\":\"" + text + "\"}";
    long now = java.time.Instant.now().getEpochSecond();
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(url + "/api/v1/inbound/sms"))
            .header("Content-Type", "application/json")
            .header(com.ohmyotp.sources.GatewayWebhook.TIMESTAMP_HEADER, String.valueOf(now))
            .header(
                com.ohmyotp.sources.GatewayWebhook.SIGNATURE_HEADER,
                com.ohmyotp.sources.GatewayWebhook.signature(
                    app.gatewaySecret().getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    now,
                    body.getBytes(java.nio.charset.StandardCharsets.UTF_8)))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    try {
      int status = http.send(request, HttpResponse.BodyHandlers.ofString()).statusCode();
      assertThat(status).isEqualTo(202);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  JsonNode rental(Rented r) {
    return send("GET", "/api/v1/rentals/" + r.rentalId(), r.key(), null).json();
  }

  /** Counted numbers of a source, as the operator's sources listing says. */
  long numbers(String source) {
    for (JsonNode s : admin("GET", "/api/admin/sources", null).json().get("sources")) {
      if (s.path("name").asText().equals(source) && s.has("numbers")) {
        return s.get("numbers").asLong();
      }
    }
    return 0;
  }

  @Override
  public void close() {
    app.close();
    try (Stream<Path> files = Files.walk(dataDir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // A temporary folder left behind is harmless.
    }
  }
}
