package com.ohmyotp.support;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.ohmyotp.sources.GatewayWebhook;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * Sets up and drives one server over its HTTP API the way an operator, a gateway and a customer
 * would: accounts, services, numbers, signed inbound SMS, rentals. Used for in-process test servers
 * and for server processes alike.
 */
public final class Driver {

  public static final String ADMIN_TOKEN = "test-admin-token-0123456789";
  public static final String GATEWAY_SECRET = "test-gateway-secret";
  private static final AtomicInteger NUMBERS = new AtomicInteger();
  private static final AtomicInteger ACCOUNTS = new AtomicInteger();

  public final Http http;
  private final LongSupplier now;

  /** A driver that signs gateway posts with the time {@code now} gives, in Unix seconds. */
  public Driver(Http http, LongSupplier now) {
    this.http = http;
    this.now = now;
  }

  /** A driver that signs gateway posts with the wall clock's time. */
  public Driver(Http http) {
    this(http, () -> System.currentTimeMillis() / 1000);
  }

  /** A new customer account with {@code balance} and its API key. */
  public record Customer(long id, String email, String key) {}

  public Customer customer(String balance) {
    String email =
        "customer" + ACCOUNTS.incrementAndGet() + "-" + System.nanoTime() + "@example.com";
    Http.Response r =
        admin(
            "POST",
            "/api/admin/accounts",
            "{\"email\":\"" + email + "\",\"balance\":" + balance + "}");
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    return new Customer(r.json().get("id").asLong(), email, r.json().get("api_key").asText());
  }

  /** A new enabled service with a unique name; returns its name. */
  public String service(String namePrefix, String price, String source) {
    return service(namePrefix, price, source, null);
  }

  /** A new enabled service whose rentals last {@code durationSeconds} (null: the default). */
  public String service(String namePrefix, String price, String source, Integer durationSeconds) {
    String name = namePrefix + NUMBERS.incrementAndGet();
    Http.Response r =
        admin(
            "POST",
            "/api/admin/services",
            "{\"name\":\""
                + name
                + "\",\"category\":\"Test\",\"price\":"
                + price
                + ",\"source\":\""
                + source
                + "\""
                + (durationSeconds == null ? "" : ",\"duration_seconds\":" + durationSeconds)
                + "}");
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    return name;
  }

  /** Imports {@code count} fresh numbers for {@code source}; returns them as the API shows them. */
  public List<String> numbers(String source, int count) {
    List<String> numbers = new ArrayList<>();
    StringBuilder body = new StringBuilder("{\"source\":\"" + source + "\",\"numbers\":[");
    for (int i = 0; i < count; i++) {
      int n = NUMBERS.incrementAndGet();
      // 212-2xx-xxxx: valid New York numbers, unique within the run.
      String number = String.format("212%03d%04d", 200 + (n / 10_000) % 700, n % 10_000);
      numbers.add(number);
      body.append(i == 0 ? "" : ",").append("{\"phone_number\":\"").append(number).append("\"}");
    }
    body.append("]}");
    Http.Response r = admin("POST", "/api/admin/numbers", body.toString());
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    assertThat(r.json().get("imported").asInt()).as(r.text()).isEqualTo(count);
    return numbers;
  }

  public Http.Response admin(String method, String path, String body) {
    return http.send(method, path, ADMIN_TOKEN, body, Map.of());
  }

  /** Delivers an SMS through the gateway webhook, signed as a gateway would. */
  public Http.Response inboundSms(String to, String from, String text) {
    String body =
        "{\"to\":" + quote(to) + ",\"from\":" + quote(from) + ",\"text\":" + quote(text) + "}";
    return http.send("POST", "/api/v1/inbound/sms", null, body, signed(body));
  }

  /** The headers of a gateway post of {@code body}, signed now with the gateway secret. */
  public Map<String, String> signed(String body) {
    long timestamp = now.getAsLong();
    return Map.of(
        GatewayWebhook.TIMESTAMP_HEADER,
        String.valueOf(timestamp),
        GatewayWebhook.SIGNATURE_HEADER,
        GatewayWebhook.signature(
            GATEWAY_SECRET.getBytes(StandardCharsets.UTF_8),
            timestamp,
            body.getBytes(StandardCharsets.UTF_8)));
  }

  public BigDecimal balance(Customer c) {
    Http.Response r = http.get("/api/v1/balance", c.key());
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    return r.json().get("balance").decimalValue();
  }

  public JsonNode rent(Customer c, String service) {
    Http.Response r =
        http.post("/api/v1/rentals", c.key(), "{\"service_id\":" + quote(service) + "}");
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    return r.json();
  }

  public static String quote(String s) {
    StringBuilder sb = new StringBuilder("\"");
    for (char ch : s.toCharArray()) {
      switch (ch) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        default -> {
          if (ch < 0x20) {
            sb.append(String.format("\\u%04x", (int) ch));
          } else {
            sb.append(ch);
          }
        }
      }
    }
    return sb.append('"').toString();
  }
}
