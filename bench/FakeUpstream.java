import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An upstream provider for bench/upstream.sh: speaks the SMS-Activate protocol, sells a new number
 * for every getNumber after a fixed delay (its "own time"), never delivers a code, and counts
 * what it is asked. {@code /stats} answers its counts and the p50/p99 of its own getNumber time
 * since the last {@code /stats?reset=1}. JDK only: {@code java bench/FakeUpstream.java <port>
 * <delay ms> <mode>}, mode {@code list} (offers getActiveActivations) or {@code status} (does not).
 */
public final class FakeUpstream {

  private static final AtomicLong activations = new AtomicLong(100_000);
  private static final AtomicLong getNumber = new AtomicLong();
  private static final AtomicLong getStatus = new AtomicLong();
  private static final AtomicLong lists = new AtomicLong();
  private static final AtomicLong other = new AtomicLong();
  private static final ConcurrentLinkedQueue<Long> ownNanos = new ConcurrentLinkedQueue<>();
  private static final Set<String> open = ConcurrentHashMap.newKeySet();

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    long delayMs = Long.parseLong(args[1]);
    boolean offersList = args.length < 3 || args[2].equals("list");
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 1024);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext(
        "/stubs/handler_api.php",
        exchange -> {
          long started = System.nanoTime();
          Map<String, String> p = params(exchange);
          String action = p.getOrDefault("action", "");
          switch (action) {
            case "getNumber" -> {
              sleep(delayMs);
              long id = activations.incrementAndGet();
              open.add(String.valueOf(id));
              String answer = "ACCESS_NUMBER:" + id + ":1" + (2_000_000_000L + id);
              ownNanos.add(System.nanoTime() - started);
              getNumber.incrementAndGet();
              answer(exchange, answer);
            }
            case "getStatus" -> {
              getStatus.incrementAndGet();
              answer(exchange, "STATUS_WAIT_CODE");
            }
            case "getActiveActivations" -> {
              if (!offersList) {
                other.incrementAndGet();
                answer(exchange, "BAD_ACTION");
                return;
              }
              lists.incrementAndGet();
              StringBuilder b = new StringBuilder("{\"status\":\"success\",\"activeActivations\":[");
              boolean first = true;
              for (String id : open) {
                b.append(first ? "" : ",").append("{\"activationId\":\"").append(id).append("\",\"smsCode\":null}");
                first = false;
              }
              answer(exchange, b.append("]}").toString());
            }
            case "setStatus" -> {
              other.incrementAndGet();
              open.remove(p.getOrDefault("id", ""));
              answer(exchange, "ACCESS_CANCEL");
            }
            case "getPrices" -> {
              other.incrementAndGet();
              answer(exchange, "{\"187\":{\"ub\":{\"cost\":0.50,\"count\":100000}}}");
            }
            case "getBalance" -> {
              other.incrementAndGet();
              answer(exchange, "ACCESS_BALANCE:1000000.00");
            }
            default -> answer(exchange, "BAD_ACTION");
          }
        });
    server.createContext(
        "/stats",
        exchange -> {
          long[] own = ownNanos.stream().mapToLong(Long::longValue).sorted().toArray();
          String stats =
              getNumber.get()
                  + " " + getStatus.get()
                  + " " + lists.get()
                  + " " + other.get()
                  + " " + open.size()
                  + " " + String.format("%.2f", pct(own, 0.50))
                  + " " + String.format("%.2f", pct(own, 0.99));
          if ("reset=1".equals(exchange.getRequestURI().getQuery())) {
            getNumber.set(0);
            getStatus.set(0);
            lists.set(0);
            other.set(0);
            ownNanos.clear();
          }
          answer(exchange, stats + "\n");
        });
    server.start();
    System.out.println("fake upstream on " + port);
  }

  private static double pct(long[] sorted, double q) {
    if (sorted.length == 0) {
      return 0;
    }
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)] / 1e6;
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static Map<String, String> params(HttpExchange exchange) throws IOException {
    Map<String, String> p = new HashMap<>();
    String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    String query = exchange.getRequestURI().getRawQuery();
    for (String raw : new String[] {query, body}) {
      if (raw == null || raw.isEmpty()) {
        continue;
      }
      Arrays.stream(raw.split("&"))
          .map(pair -> pair.split("=", 2))
          .filter(kv -> kv.length == 2)
          .forEach(
              kv ->
                  p.put(
                      URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
                      URLDecoder.decode(kv[1], StandardCharsets.UTF_8)));
    }
    return p;
  }

  private static void answer(HttpExchange exchange, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(200, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }
}
