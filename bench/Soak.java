import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Mixed customer traffic at a steady rate against one ohmyotp server, for a soak: rent, read
 * codes, receive SMS through the signed webhook, cancel, check the balance. Prints one line a
 * minute (requests, 5xx, latency percentiles) and a total. JDK only: run it with
 * {@code java bench/Soak.java <base> <admin token> <gateway secret> <minutes> <requests/s>}.
 */
public final class Soak {

  static final Pattern ID = Pattern.compile("\"id\":\"([0-9a-f-]{36})\"");
  static final Pattern PHONE = Pattern.compile("\"phone_number\":\"(\\d+)\"");
  static final Pattern KEY = Pattern.compile("\"api_key\":\"([A-Za-z0-9_]+)\"");

  record Rental(String key, String id, String phone) {}

  static HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  static String base;
  static String admin;
  static byte[] gatewaySecret;

  public static void main(String[] args) throws Exception {
    base = args[0];
    admin = args[1];
    gatewaySecret = args[2].getBytes(StandardCharsets.UTF_8);
    int minutes = Integer.parseInt(args[3]);
    int rate = Integer.parseInt(args[4]);

    List<String> services = new ArrayList<>();
    for (int s = 0; s < 5; s++) {
      String name = "Soak" + s + "-" + System.currentTimeMillis() % 100000;
      send("POST", "/api/admin/services", admin, "{\"name\":\"" + name + "\",\"category\":\"Soak\",\"price\":0.25,"
          + "\"source\":\"gateway\"}");
      services.add(name);
    }
    StringBuilder numbers = new StringBuilder("{\"source\":\"gateway\",\"numbers\":[");
    for (int i = 0; i < 3000; i++) {
      numbers.append(i == 0 ? "" : ",").append("{\"phone_number\":\"")
          .append(String.format("212%03d%04d", 200 + i / 10000, i % 10000)).append("\"}");
    }
    send("POST", "/api/admin/numbers", admin, numbers.append("]}").toString());
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      String body = send("POST", "/api/admin/accounts", admin,
          "{\"email\":\"soak" + i + "-" + System.nanoTime() + "@example.com\",\"balance\":1000}").body();
      Matcher m = KEY.matcher(body);
      if (!m.find()) {
        throw new IllegalStateException("cannot create an account: " + body);
      }
      keys.add(m.group(1));
    }

    List<Rental> live = Collections.synchronizedList(new ArrayList<>());
    ConcurrentHashMap<Integer, AtomicLong> byStatus = new ConcurrentHashMap<>();
    ConcurrentLinkedQueue<Long> minuteLatencies = new ConcurrentLinkedQueue<>();
    List<Long> allLatencies = Collections.synchronizedList(new ArrayList<>());
    AtomicLong errors = new AtomicLong();
    ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();

    long start = System.nanoTime();
    long periodNanos = 1_000_000_000L / rate;
    long next = start;
    long minuteEnd = start + 60_000_000_000L;
    int minute = 1;
    long end = start + minutes * 60_000_000_000L;
    System.out.printf("soak: %d min at %d requests/s against %s%n", minutes, rate, base);
    while (System.nanoTime() < end) {
      next += periodNanos;
      long wait = next - System.nanoTime();
      if (wait > 0) {
        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
      }
      pool.submit(() -> {
        long t0 = System.nanoTime();
        int status;
        try {
          status = step(keys, services, live);
        } catch (Exception e) {
          errors.incrementAndGet();
          status = -1;
        }
        long micros = (System.nanoTime() - t0) / 1000;
        byStatus.computeIfAbsent(status, k -> new AtomicLong()).incrementAndGet();
        minuteLatencies.add(micros);
        allLatencies.add(micros);
      });
      if (System.nanoTime() >= minuteEnd) {
        report("minute " + minute, new ArrayList<>(minuteLatencies), byStatus);
        minuteLatencies.clear();
        minute++;
        minuteEnd += 60_000_000_000L;
      }
    }
    pool.shutdown();
    pool.awaitTermination(60, java.util.concurrent.TimeUnit.SECONDS);
    long fiveXx = byStatus.entrySet().stream().filter(e -> e.getKey() >= 500).mapToLong(e -> e.getValue().get()).sum();
    report("total", allLatencies, byStatus);
    System.out.printf("soak result: %d requests, %d answered 5xx, %d failed to connect%n",
        allLatencies.size(), fiveXx, errors.get());
    System.exit(fiveXx == 0 && errors.get() == 0 ? 0 : 1);
  }

  static int step(List<String> keys, List<String> services, List<Rental> live) throws Exception {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    int dice = random.nextInt(100);
    Rental some;
    synchronized (live) {
      some = live.isEmpty() ? null : live.get(random.nextInt(live.size()));
    }
    if (dice < 15 || some == null) {
      String key = keys.get(random.nextInt(keys.size()));
      HttpResponse<String> r = send("POST", "/api/v1/rentals", key,
          "{\"service_id\":\"" + services.get(random.nextInt(services.size())) + "\"}");
      if (r.statusCode() == 201) {
        Matcher id = ID.matcher(r.body());
        Matcher phone = PHONE.matcher(r.body());
        if (id.find() && phone.find()) {
          live.add(new Rental(key, id.group(1), phone.group(1)));
        }
      }
      return r.statusCode();
    }
    if (dice < 30) {
      String body = "{\"to\":\"" + some.phone() + "\",\"from\":\"Soak\",\"text\":\"Your code is "
          + random.nextInt(100000, 999999) + "\"}";
      long timestamp = System.currentTimeMillis() / 1000;
      HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/api/v1/inbound/sms"))
          .header("Content-Type", "application/json")
          .header("X-Ohmyotp-Timestamp", String.valueOf(timestamp))
          .header("X-Ohmyotp-Signature", "sha256=" + hmac(timestamp + "." + body))
          .POST(HttpRequest.BodyPublishers.ofString(body)).build();
      return client.send(request, HttpResponse.BodyHandlers.ofString()).statusCode();
    }
    if (dice < 40) {
      live.remove(some);
      return send("POST", "/api/v1/rentals/" + some.id() + "/cancel", some.key(), null).statusCode();
    }
    if (dice < 90) {
      return send("GET", "/api/v1/rentals/" + some.id() + "/code", some.key(), null).statusCode();
    }
    return send("GET", "/api/v1/balance", some.key(), null).statusCode();
  }

  static HttpResponse<String> send(String method, String path, String bearer, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer " + bearer)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static String hmac(String body) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(gatewaySecret, "HmacSHA256"));
    return HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
  }

  static void report(String label, List<Long> latencies, ConcurrentHashMap<Integer, AtomicLong> byStatus) {
    Collections.sort(latencies);
    long fiveXx = byStatus.entrySet().stream().filter(e -> e.getKey() >= 500).mapToLong(e -> e.getValue().get()).sum();
    System.out.printf("%-9s requests %7d  p50 %6.1f ms  p99 %6.1f ms  max %7.1f ms  5xx so far %d  statuses %s%n",
        label, latencies.size(), pct(latencies, 0.50), pct(latencies, 0.99),
        latencies.isEmpty() ? 0.0 : latencies.get(latencies.size() - 1) / 1000.0, fiveXx, new java.util.TreeMap<>(byStatus));
  }

  static double pct(List<Long> sorted, double p) {
    return sorted.isEmpty() ? 0 : sorted.get(Math.min(sorted.size() - 1, (int) (sorted.size() * p))) / 1000.0;
  }
}
