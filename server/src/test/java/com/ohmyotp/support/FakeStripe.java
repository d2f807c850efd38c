package com.ohmyotp.support;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Stripe at the edge of the world we do not run: a real HTTP server in the test JVM answering the
 * one API call the service makes ({@code POST /v1/checkout/sessions}, form-encoded, bearer key) as
 * Stripe documents it, serving a hosted page where the customer "pays", and then posting a {@code
 * checkout.session.completed} event signed as Stripe signs them ({@code Stripe-Signature:
 * t=…,v1=…}, HMAC-SHA256 of {@code t.payload}) to the service's webhook before sending the browser
 * back.
 */
public final class FakeStripe implements AutoCloseable {

  public static final String SECRET_KEY = "sk_test_fake_key";
  public static final String WEBHOOK_SECRET = "whsec_fake_webhook_secret";

  /** A session as it was created: the form fields the service sent, flattened. */
  public record Created(String id, Map<String, String> fields, String authorization) {}

  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpServer server;
  private final Map<String, Created> sessions = new ConcurrentHashMap<>();
  private final List<Created> created = new CopyOnWriteArrayList<>();
  private final AtomicInteger ids = new AtomicInteger();
  private final HttpClient client = HttpClient.newHttpClient();
  private final LongSupplier now;
  private volatile String webhookUrl;

  /**
   * @param now the time events are signed at, in epoch seconds (the service's clock)
   */
  public FakeStripe(LongSupplier now) {
    this.now = now;
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    server.setExecutor(Executors.newCachedThreadPool());
    server.createContext("/v1/checkout/sessions", this::createSession);
    server.createContext("/pay/", this::hostedPage);
    server.start();
  }

  public String base() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** Settings that point the service here. */
  public Map<String, String> settings() {
    return Map.of(
        "OHMYOTP_STRIPE_SECRET_KEY",
        SECRET_KEY,
        "OHMYOTP_STRIPE_WEBHOOK_SECRET",
        WEBHOOK_SECRET,
        "OHMYOTP_STRIPE_API_BASE",
        base(),
        "OHMYOTP_STRIPE_CHECKOUT_ORIGIN",
        base());
  }

  /** Where paid sessions are reported: the service's webhook endpoint. */
  public void deliverTo(String url) {
    this.webhookUrl = url;
  }

  public List<Created> created() {
    return List.copyOf(created);
  }

  private void createSession(HttpExchange exchange) throws IOException {
    if (!exchange.getRequestMethod().equals("POST")) {
      send(exchange, 405, "application/json", "{}");
      return;
    }
    String authorization = exchange.getRequestHeaders().getFirst("Authorization");
    if (!("Bearer " + SECRET_KEY).equals(authorization)) {
      send(
          exchange,
          401,
          "application/json",
          "{\"error\":{\"type\":\"invalid_request_error\",\"message\":\"Invalid API Key provided\"}}");
      return;
    }
    Map<String, String> fields =
        formFields(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
    String id = "cs_test_" + ids.incrementAndGet() + "a1b2c3";
    Created session = new Created(id, fields, authorization);
    sessions.put(id, session);
    created.add(session);
    send(exchange, 200, "application/json", JSON.writeValueAsString(sessionObject(session, false)));
  }

  /** Stripe's hosted page: GET shows the amount and a Pay button, POST pays and returns. */
  private void hostedPage(HttpExchange exchange) throws IOException {
    String id = exchange.getRequestURI().getPath().substring("/pay/".length());
    Created session = sessions.get(id);
    if (session == null) {
      send(exchange, 404, "text/html", "<p>No such session</p>");
      return;
    }
    if (exchange.getRequestMethod().equals("GET")) {
      long cents = Long.parseLong(session.fields().get("line_items[0][price_data][unit_amount]"));
      send(
          exchange,
          200,
          "text/html; charset=utf-8",
          "<!doctype html><title>Pay</title><h1>Fake Stripe Checkout</h1>"
              + "<p id=amount>"
              + String.format("%d.%02d", cents / 100, cents % 100)
              + "</p><form method=post><button id=pay type=submit>Pay</button></form>");
      return;
    }
    HttpResponse<String> delivered = complete(id);
    if (delivered.statusCode() != 200) {
      send(exchange, 500, "text/plain", "the webhook answered " + delivered.statusCode());
      return;
    }
    exchange
        .getResponseHeaders()
        .add("Location", session.fields().get("success_url").replace("{CHECKOUT_SESSION_ID}", id));
    exchange.sendResponseHeaders(303, -1);
    exchange.close();
  }

  /** Pays a session and posts its signed {@code checkout.session.completed} to the service. */
  public HttpResponse<String> complete(String sessionId) {
    return deliver(completedEvent(sessionId), now.getAsLong(), WEBHOOK_SECRET);
  }

  /** The event Stripe sends when a session is paid, as its JSON body. */
  public String completedEvent(String sessionId) {
    ObjectNode event = JSON.createObjectNode();
    event.put("id", "evt_" + sessionId);
    event.put("object", "event");
    event.put("api_version", "2025-09-30.clover");
    event.put("created", now.getAsLong());
    event.put("livemode", false);
    event.put("pending_webhooks", 1);
    event.put("type", "checkout.session.completed");
    event.putObject("data").set("object", sessionObject(sessions.get(sessionId), true));
    return event.toString();
  }

  /**
   * Refunds a paid session in Stripe's dashboard: posts the signed {@code charge.refunded} whose
   * {@code amount_refunded} is the payment's whole refunded amount so far, as Stripe reports it.
   */
  public HttpResponse<String> refund(String sessionId, long refundedCents) {
    Created session = sessions.get(sessionId);
    long cents = Long.parseLong(session.fields().get("line_items[0][price_data][unit_amount]"));
    ObjectNode charge = JSON.createObjectNode();
    charge.put("id", "ch_" + sessionId);
    charge.put("object", "charge");
    charge.put("amount", cents);
    charge.put("amount_refunded", refundedCents);
    charge.put("currency", session.fields().get("line_items[0][price_data][currency]"));
    charge.put("payment_intent", paymentIntent(sessionId));
    charge.put("refunded", refundedCents >= cents);
    charge.put("paid", true);
    ObjectNode event = JSON.createObjectNode();
    event.put("id", "evt_refund_" + sessionId + "_" + refundedCents);
    event.put("object", "event");
    event.put("api_version", "2025-09-30.clover");
    event.put("created", now.getAsLong());
    event.put("livemode", false);
    event.put("type", "charge.refunded");
    event.putObject("data").set("object", charge);
    return deliver(event.toString(), now.getAsLong(), WEBHOOK_SECRET);
  }

  private static String paymentIntent(String sessionId) {
    return "pi_" + sessionId.substring("cs_test_".length());
  }

  /** Posts {@code payload} to the service signed with {@code secret} at {@code timestamp}. */
  public HttpResponse<String> deliver(String payload, long timestamp, String secret) {
    return post(payload, "t=" + timestamp + ",v1=" + sign(secret, timestamp + "." + payload));
  }

  /** Posts {@code payload} with whatever {@code Stripe-Signature} the test gives. */
  public HttpResponse<String> post(String payload, String signature) {
    try {
      HttpRequest.Builder request =
          HttpRequest.newBuilder(URI.create(webhookUrl))
              .header("Content-Type", "application/json; charset=utf-8")
              .POST(HttpRequest.BodyPublishers.ofString(payload));
      if (signature != null) {
        request.header("Stripe-Signature", signature);
      }
      return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Stripe's {@code v1} signature: HMAC-SHA256 of {@code signed} under {@code secret}, in hex. */
  public static String sign(String secret, String signed) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(signed.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private ObjectNode sessionObject(Created session, boolean paid) {
    Map<String, String> f = session.fields();
    ObjectNode o = JSON.createObjectNode();
    o.put("id", session.id());
    o.put("object", "checkout.session");
    o.put("mode", f.get("mode"));
    o.put("amount_total", Long.parseLong(f.get("line_items[0][price_data][unit_amount]")));
    o.put("currency", f.get("line_items[0][price_data][currency]"));
    o.put("client_reference_id", f.get("client_reference_id"));
    o.putObject("metadata").put("account_id", f.get("metadata[account_id]"));
    o.put("payment_status", paid ? "paid" : "unpaid");
    o.put("status", paid ? "complete" : "open");
    o.put("success_url", f.get("success_url"));
    o.put("cancel_url", f.get("cancel_url"));
    o.put("url", paid ? null : base() + "/pay/" + session.id());
    o.put("payment_intent", paid ? paymentIntent(session.id()) : null);
    o.put("livemode", false);
    return o;
  }

  private static Map<String, String> formFields(String body) {
    Map<String, String> fields = new LinkedHashMap<>();
    for (String pair : body.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        fields.put(
            URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return fields;
  }

  private static void send(HttpExchange exchange, int status, String type, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", type);
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
