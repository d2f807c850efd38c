import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Pushed codes, timed from the SMS posted to the webhook to the moment the customer has it.
 *
 * <ul>
 *   <li>{@code sse}: one account stream ({@code GET /api/v1/events}) open on the reader node; for
 *       each of many rentals an SMS is posted to the first node, and the time until its {@code sms}
 *       event is read is taken: p50, p99.
 *   <li>{@code webhook}: an endpoint on a receiver here; the time from the SMS posted until its
 *       {@code sms.received} delivery arrives: p50, p99.
 *   <li>{@code fanout}: as many accounts as endpoints, each with one rental and one endpoint on
 *       the receiver here, one of which never answers; SMS posted at a fixed rate to the rentals in
 *       turn; how late each delivery arrives after its SMS was accepted, for the endpoints that
 *       answer: p50, p99, the latest, and how many more than a second late.
 * </ul>
 *
 * JDK only, with {@link LongPoll}'s helpers: {@code java bench/Push.java sse|webhook <base> <api key>
 * <service> <gateway secret> <count> [<reader base>]}, {@code java bench/Push.java fanout <base>
 * <admin token> <service> <gateway secret> <endpoints> <per second> <seconds>}. Prints one line.
 */
public final class Push {

  static final Pattern CODE = Pattern.compile("\"code\":\"(\\d+)\"");
  static final Pattern KEY = Pattern.compile("\"api_key\":\"([^\"]+)\"");

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    String base = args[1];
    String key = args[2];
    String service = args[3];
    byte[] secret = args[4].getBytes(StandardCharsets.UTF_8);
    int count = Integer.parseInt(args[5]);
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(20)).build();
    switch (mode) {
      case "sse" -> sse(client, base, args.length > 6 ? args[6] : base, key, service, secret, count);
      case "webhook" -> webhook(client, base, key, service, secret, count);
      case "fanout" ->
          fanout(client, base, key, service, secret, count, Integer.parseInt(args[6]), Integer.parseInt(args[7]),
              args.length <= 8 || !args[8].equals("no-endpoints"));
      default -> throw new IllegalArgumentException(mode);
    }
  }

  /** Codes as they arrive, with when. */
  record Arrival(String code, long at) {}

  static void sse(HttpClient client, String base, String reader, String key, String service, byte[] secret, int count)
      throws Exception {
    BlockingQueue<Arrival> arrivals = new LinkedBlockingQueue<>();
    BlockingQueue<String> connected = new LinkedBlockingQueue<>();
    HttpResponse<java.io.InputStream> stream =
        client.send(
            HttpRequest.newBuilder(URI.create(reader + "/api/v1/events")).header("Authorization", "Bearer " + key).build(),
            HttpResponse.BodyHandlers.ofInputStream());
    Thread.ofPlatform().daemon(true).start(() -> {
      try (BufferedReader lines = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
        String line;
        boolean sms = false;
        while ((line = lines.readLine()) != null) {
          if (line.startsWith(": connected")) {
            connected.add("yes");
          } else if (line.startsWith("event: ")) {
            sms = line.equals("event: sms");
          } else if (sms && line.startsWith("data: ")) {
            Matcher code = CODE.matcher(line);
            if (code.find()) {
              arrivals.add(new Arrival(code.group(1), System.nanoTime()));
            }
          }
        }
      } catch (java.io.IOException e) {
        // The stream ends with the run.
      }
    });
    if (connected.poll(20, TimeUnit.SECONDS) == null) {
      throw new IllegalStateException("the stream did not start");
    }
    List<Long> took = new ArrayList<>();
    for (int i = 0; i < count + 20; i++) {
      String[] rental = LongPoll.rent(client, base, key, service);
      String code = String.valueOf(300000 + i);
      long posted = System.nanoTime();
      client.send(LongPoll.sms(base, secret, rental[1], code), HttpResponse.BodyHandlers.discarding());
      Arrival a = arrivals.poll(30, TimeUnit.SECONDS);
      if (a == null || !a.code().equals(code)) {
        throw new IllegalStateException("expected the event of " + code + ", read " + a);
      }
      if (i >= 20) {
        took.add(a.at() - posted);
      }
    }
    print(took);
  }

  /** A receiver on this machine: records each delivery's code and when it came, per path. */
  static com.sun.net.httpserver.HttpServer receiver(Map<String, BlockingQueue<Arrival>> byPath, String hangPath) throws Exception {
    com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 4096);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext("/", exchange -> {
      long at = System.nanoTime();
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      String path = exchange.getRequestURI().getPath();
      if (path.equals(hangPath)) {
        try {
          Thread.sleep(60_000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        exchange.close();
        return;
      }
      Matcher code = CODE.matcher(body);
      if (code.find()) {
        byPath.computeIfAbsent(path, p -> new LinkedBlockingQueue<>()).add(new Arrival(code.group(1), at));
      }
      exchange.sendResponseHeaders(204, -1);
      exchange.close();
    });
    server.start();
    return server;
  }

  static void register(HttpClient client, String base, String key, String url) throws Exception {
    HttpResponse<String> r = client.send(
        HttpRequest.newBuilder(URI.create(base + "/api/v1/webhooks"))
            .header("Authorization", "Bearer " + key)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"url\":\"" + url + "\",\"events\":[\"sms.received\"]}"))
            .build(),
        HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 201) {
      throw new IllegalStateException("cannot register " + url + ": " + r.body());
    }
  }

  static void webhook(HttpClient client, String base, String key, String service, byte[] secret, int count) throws Exception {
    Map<String, BlockingQueue<Arrival>> byPath = new ConcurrentHashMap<>();
    var server = receiver(byPath, "/never");
    try {
      register(client, base, key, "http://127.0.0.1:" + server.getAddress().getPort() + "/hook");
      BlockingQueue<Arrival> arrivals = byPath.computeIfAbsent("/hook", p -> new LinkedBlockingQueue<>());
      List<Long> took = new ArrayList<>();
      for (int i = 0; i < count + 20; i++) {
        String[] rental = LongPoll.rent(client, base, key, service);
        String code = String.valueOf(400000 + i);
        long posted = System.nanoTime();
        client.send(LongPoll.sms(base, secret, rental[1], code), HttpResponse.BodyHandlers.discarding());
        Arrival a = arrivals.poll(30, TimeUnit.SECONDS);
        if (a == null || !a.code().equals(code)) {
          throw new IllegalStateException("expected the delivery of " + code + ", got " + a);
        }
        if (i >= 20) {
          took.add(a.at() - posted);
        }
      }
      print(took);
    } finally {
      server.stop(0);
    }
  }

  static void fanout(HttpClient client, String base, String admin, String service, byte[] secret, int endpoints, int perSecond, int seconds,
      boolean withEndpoints) throws Exception {
    Map<String, BlockingQueue<Arrival>> byPath = new ConcurrentHashMap<>();
    var server = receiver(byPath, "/e0");
    try {
      String hooks = "http://127.0.0.1:" + server.getAddress().getPort();
      String[] phones = new String[endpoints];
      try (var setup = Executors.newFixedThreadPool(16)) {
        List<java.util.concurrent.Future<?>> done = new ArrayList<>();
        for (int i = 0; i < endpoints; i++) {
          int n = i;
          done.add(setup.submit(() -> {
            HttpResponse<String> account = client.send(
                HttpRequest.newBuilder(URI.create(base + "/api/admin/accounts"))
                    .header("Authorization", "Bearer " + admin)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"email\":\"fanout" + n + "-" + System.nanoTime() + "@example.com\",\"balance\":10}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
            Matcher key = KEY.matcher(account.body());
            if (!key.find()) {
              throw new IllegalStateException("cannot make an account: " + account.body());
            }
            if (withEndpoints) {
              register(client, base, key.group(1), hooks + "/e" + n);
            }
            phones[n] = LongPoll.rent(client, base, key.group(1), service)[1];
            return null;
          }));
        }
        for (var f : done) {
          f.get();
        }
      }
      // code -> when its SMS was accepted
      Map<String, Long> accepted = new ConcurrentHashMap<>();
      AtomicLong refused = new AtomicLong();
      int total = perSecond * seconds;
      // As many posts in flight at once as a few busy gateways would have: past what the server
      // takes, the rate achieved is lower than asked, and says so.
      java.util.concurrent.Semaphore inFlight = new java.util.concurrent.Semaphore(64);
      long start = System.nanoTime();
      try (var posting = Executors.newVirtualThreadPerTaskExecutor()) {
        for (int i = 0; i < total; i++) {
          long due = start + (long) (i * (1e9 / perSecond));
          long wait = due - System.nanoTime();
          if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
          }
          int n = i;
          inFlight.acquire();
          posting.submit(() -> {
           try {
            String code = String.valueOf(1_000_000 + n);
            HttpResponse<Void> r = client.send(
                LongPoll.sms(base, secret, phones[n % endpoints], code), HttpResponse.BodyHandlers.discarding());
            if (r.statusCode() == 202) {
              accepted.put(code, System.nanoTime());
            } else {
              refused.incrementAndGet();
            }
            return null;
           } finally {
            inFlight.release();
           }
          });
        }
      }
      double achieved = total / ((System.nanoTime() - start) / 1e9);
      if (!withEndpoints) {
        // The ceiling: the same SMS, posted the same way, with no delivery to make.
        System.out.printf("%.1f %d %d%n", achieved, accepted.size(), refused.get());
        return;
      }
      // Every delivery to an answering endpoint, within 30 s.
      long expected = accepted.keySet().stream().filter(c -> (Integer.parseInt(c) - 1_000_000) % endpoints != 0).count();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (byPath.entrySet().stream().filter(e -> !e.getKey().equals("/e0")).mapToLong(e -> e.getValue().size()).sum() < expected
          && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      List<Long> late = new ArrayList<>();
      for (var e : byPath.entrySet()) {
        for (Arrival a : e.getValue()) {
          Long at = accepted.get(a.code());
          if (at != null) {
            late.add(Math.max(0, a.at() - at));
          }
        }
      }
      Collections.sort(late);
      long overASecond = late.stream().filter(t -> t > 1_000_000_000L).count();
      System.out.printf("%.1f %d %d %d %.2f %.2f %.2f %d%n", achieved, accepted.size(), refused.get(), late.size(),
          late.get(late.size() / 2) / 1e6, late.get((int) (late.size() * 0.99)) / 1e6, late.get(late.size() - 1) / 1e6,
          overASecond + (expected - late.size()));
    } finally {
      server.stop(0);
    }
  }

  static void print(List<Long> took) {
    Collections.sort(took);
    System.out.printf("%.2f %.2f%n", took.get(took.size() / 2) / 1e6, took.get((int) (took.size() * 0.99)) / 1e6);
  }
}
