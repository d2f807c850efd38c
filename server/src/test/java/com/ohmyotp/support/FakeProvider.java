package com.ohmyotp.support;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An upstream provider at the edge of the world we do not run: a real HTTP server in the test JVM
 * speaking the SMS-Activate protocol as its documentation describes it, whose behaviour the test
 * scripts — it can sell numbers, have none, refuse, answer 500 or garbage, be slow, hang, or drop
 * the connection — and which records every call it was made.
 */
public final class FakeProvider implements AutoCloseable {

  /** How the next {@code getNumber} calls are answered. */
  public enum Mode {
    SELL,
    NO_NUMBERS,
    NO_BALANCE,
    BAD_KEY,
    ERROR_SQL,
    HTTP_500,
    GARBAGE,
    HANG,
    DROP,
    /** Sells the number, then never answers: the sale happened, the buyer never learns of it. */
    SELL_THEN_HANG,
    /** Sells the number, runs the sale hook (the test kills the buyer), then answers. */
    SELL_THEN_HOOK
  }

  /** One call the provider received, with its parameters. */
  public record Call(String action, Map<String, String> params) {}

  public final String key;
  private final HttpServer server;
  private final List<Call> calls = new CopyOnWriteArrayList<>();
  private final ConcurrentLinkedQueue<String> numbers = new ConcurrentLinkedQueue<>();
  private final AtomicInteger activations = new AtomicInteger(1000);
  private volatile Mode mode = Mode.SELL;
  private final java.util.Set<String> open = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private volatile Runnable saleHook = () -> {};
  private final java.util.concurrent.CountDownLatch closed =
      new java.util.concurrent.CountDownLatch(1);
  private volatile boolean lists = true;
  private volatile boolean statusFails = false;
  private volatile String setStatusAnswer = null;
  private final Map<String, String> codes = new java.util.concurrent.ConcurrentHashMap<>();
  private final Map<String, String> prices = new java.util.concurrent.ConcurrentSkipListMap<>();

  public FakeProvider(String key) {
    this.key = key;
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext("/stubs/handler_api.php", this::handle);
    server.start();
  }

  /** The URL of its {@code handler_api.php}. */
  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/stubs/handler_api.php";
  }

  public FakeProvider mode(Mode m) {
    this.mode = m;
    return this;
  }

  /** Numbers to sell, in E.164 digits without {@code +}, in order. */
  public FakeProvider stock(String... e164Digits) {
    numbers.addAll(List.of(e164Digits));
    return this;
  }

  /** Run after a sale in {@link Mode#SELL_THEN_HOOK}, before the answer goes out. */
  public FakeProvider onSale(Runnable hook) {
    this.saleHook = hook;
    return this;
  }

  /** Answers getActiveActivations with BAD_ACTION, as providers without it do. */
  public FakeProvider withoutActivationList() {
    this.lists = false;
    return this;
  }

  /** Answers getStatus with HTTP 500 from now on. */
  public FakeProvider failingStatus() {
    this.statusFails = true;
    return this;
  }

  /** The activations sold and neither cancelled nor finished. */
  public java.util.Set<String> openActivations() {
    return java.util.Set.copyOf(open);
  }

  /** What {@code setStatus} answers from now on (null: the protocol's own ACCESS_ word). */
  public FakeProvider setStatusAnswers(String answer) {
    this.setStatusAnswer = answer;
    return this;
  }

  /** From now on, {@code getStatus} of the activation answers {@code STATUS_OK:<code>}. */
  public FakeProvider code(String activation, String code) {
    codes.put(activation, code);
    return this;
  }

  /** What {@code getPrices} lists for a country and a code: a cost and a count. */
  public FakeProvider price(int country, String code, String cost, long count) {
    prices.put(country + "/" + code, "{\"cost\":" + cost + ",\"count\":" + count + "}");
    return this;
  }

  public List<Call> calls(String action) {
    return calls.stream().filter(c -> c.action().equals(action)).toList();
  }

  private void handle(HttpExchange exchange) throws IOException {
    Map<String, String> params = new HashMap<>();
    read(exchange.getRequestURI().getRawQuery(), params);
    try (InputStream body = exchange.getRequestBody()) {
      read(new String(body.readAllBytes(), StandardCharsets.UTF_8), params);
    }
    String action = params.getOrDefault("action", "");
    calls.add(new Call(action, Map.copyOf(params)));
    if (!key.equals(params.get("api_key"))) {
      answer(exchange, 200, "BAD_KEY");
      return;
    }
    switch (action) {
      case "getNumber" -> getNumber(exchange, params);
      case "setStatus" -> {
        String status = params.get("status");
        if (setStatusAnswer == null && ("8".equals(status) || "6".equals(status))) {
          open.remove(params.getOrDefault("id", ""));
        }
        String answer =
            setStatusAnswer != null
                ? setStatusAnswer
                : switch (status == null ? "" : status) {
                  case "8" -> "ACCESS_CANCEL";
                  case "6" -> "ACCESS_ACTIVATION";
                  case "3" -> "ACCESS_RETRY_GET";
                  case "1" -> "ACCESS_READY";
                  default -> "BAD_STATUS";
                };
        answer(exchange, 200, answer);
      }
      case "getBalance" -> answer(exchange, 200, "ACCESS_BALANCE:123.45");
      case "getActiveActivations" -> {
        if (!lists) {
          answer(exchange, 200, "BAD_ACTION");
          return;
        }
        StringBuilder list = new StringBuilder();
        for (String id : open) {
          String code = codes.get(id);
          list.append(list.isEmpty() ? "" : ",")
              .append("{\"activationId\":\"")
              .append(id)
              .append("\",\"serviceCode\":\"ub\"")
              .append(
                  code == null
                      ? ",\"smsCode\":null,\"smsText\":null"
                      : ",\"smsCode\":[\"" + code + "\"],\"smsText\":\"Your code is " + code + "\"")
              .append('}');
        }
        answer(exchange, 200, "{\"status\":\"success\",\"activeActivations\":[" + list + "]}");
      }
      case "getPrices" -> {
        if (mode == Mode.HANG) {
          getNumber(exchange, params);
          return;
        }
        Map<String, StringBuilder> byCountry = new java.util.TreeMap<>();
        prices.forEach(
            (key, entry) -> {
              String[] parts = key.split("/");
              StringBuilder b = byCountry.computeIfAbsent(parts[0], c -> new StringBuilder());
              b.append(b.isEmpty() ? "" : ",")
                  .append('"')
                  .append(parts[1])
                  .append("\":")
                  .append(entry);
            });
        StringBuilder json = new StringBuilder("{");
        byCountry.forEach(
            (c, b) ->
                json.append(json.length() > 1 ? "," : "")
                    .append('"')
                    .append(c)
                    .append("\":{")
                    .append(b)
                    .append('}'));
        answer(exchange, 200, json.append('}').toString());
      }
      case "getStatus" -> {
        if (statusFails) {
          answer(exchange, 500, "<html>down</html>");
          return;
        }
        String code = codes.get(params.getOrDefault("id", ""));
        answer(exchange, 200, code == null ? "STATUS_WAIT_CODE" : "STATUS_OK:" + code);
      }
      default -> answer(exchange, 200, "BAD_ACTION");
    }
  }

  private void getNumber(HttpExchange exchange, Map<String, String> params) throws IOException {
    switch (mode) {
      case SELL, SELL_THEN_HANG, SELL_THEN_HOOK -> {
        String number = numbers.poll();
        if (number == null) {
          answer(exchange, 200, "NO_NUMBERS");
          return;
        }
        String activation = String.valueOf(activations.incrementAndGet());
        open.add(activation);
        if (mode == Mode.SELL_THEN_HANG) {
          hangUntilClosed();
        } else if (mode == Mode.SELL_THEN_HOOK) {
          saleHook.run();
        }
        answer(exchange, 200, "ACCESS_NUMBER:" + activation + ":" + number);
      }
      case NO_NUMBERS -> answer(exchange, 200, "NO_NUMBERS");
      case NO_BALANCE -> answer(exchange, 200, "NO_BALANCE");
      case BAD_KEY -> answer(exchange, 200, "BAD_KEY");
      case ERROR_SQL -> answer(exchange, 200, "ERROR_SQL");
      case HTTP_500 -> answer(exchange, 500, "<html>Internal Server Error</html>");
      case GARBAGE -> answer(exchange, 200, "<html><body>maintenance</body></html>");
      case HANG -> {
        hangUntilClosed();
        answer(exchange, 200, "NO_NUMBERS");
      }
      case DROP -> exchange.close();
    }
  }

  /** A provider that never answers: the request waits until the test closes the provider. */
  private void hangUntilClosed() {
    try {
      closed.await(60, java.util.concurrent.TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void read(String raw, Map<String, String> into) {
    if (raw == null || raw.isEmpty()) {
      return;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        into.put(
            URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
  }

  private static void answer(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    closed.countDown();
    server.stop(0);
  }
}
