import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Rent + cancel cycles (charge, allocate, refund) from N threads for D seconds against one server:
 * prints cycles per second and the cycle latency. JDK only:
 * {@code java bench/RentCancel.java <base> <api keys, comma-separated> <services prefix> <services> <threads>
 * <seconds>}; each thread rents as one of the keys' accounts.
 */
public final class RentCancel {

  static final Pattern ID = Pattern.compile("\"id\":\"([0-9a-f-]{36})\"");

  public static void main(String[] args) throws Exception {
    String base = args[0];
    String[] keys = args[1].split(",");
    String prefix = args[2];
    int services = Integer.parseInt(args[3]);
    int threads = Integer.parseInt(args[4]);
    long seconds = Long.parseLong(args[5]);
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    AtomicLong cycles = new AtomicLong();
    AtomicLong failures = new AtomicLong();
    List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
    long end = System.nanoTime() + seconds * 1_000_000_000L;
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int offset = t;
      String key = keys[t % keys.length];
      workers.add(Thread.ofPlatform().start(() -> {
        int i = offset;
        while (System.nanoTime() < end) {
          long t0 = System.nanoTime();
          try {
            String service = prefix + (i++ % services);
            HttpResponse<String> rent = client.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/rentals"))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"service_id\":\"" + service + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
            Matcher m = ID.matcher(rent.body());
            if (rent.statusCode() != 201 || !m.find()) {
              failures.incrementAndGet();
              continue;
            }
            HttpResponse<String> cancel = client.send(HttpRequest.newBuilder(
                URI.create(base + "/api/v1/rentals/" + m.group(1) + "/cancel"))
                .header("Authorization", "Bearer " + key).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
            if (cancel.statusCode() != 200) {
              failures.incrementAndGet();
              continue;
            }
            cycles.incrementAndGet();
            latencies.add((System.nanoTime() - t0) / 1000);
          } catch (Exception e) {
            failures.incrementAndGet();
          }
        }
      }));
    }
    for (Thread w : workers) {
      w.join();
    }
    Collections.sort(latencies);
    double p50 = latencies.isEmpty() ? 0 : latencies.get(latencies.size() / 2) / 1000.0;
    double p99 = latencies.isEmpty() ? 0 : latencies.get((int) (latencies.size() * 0.99)) / 1000.0;
    System.out.printf("%.1f %.2f %.2f %d%n", cycles.get() / (double) seconds, p50, p99, failures.get());
  }
}
