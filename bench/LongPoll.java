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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Long-polls of {@code /code?wait=}: (1) "latency": for each of many rentals a long-poll is open
 * on the reader node when its SMS is posted to the webhook of the first; the time from the post to
 * the poll's answer, p50 and p99. (2) "hold": that many long-polls at once on one node, all
 * answered by SMS to the rentals they wait on: how many were answered with their code, how many
 * dropped. JDK only: {@code java bench/LongPoll.java latency|hold <base> <api key> <service>
 * <gateway secret> <count> [<reader base>]}. Prints one line of figures.
 */
public final class LongPoll {

  // At most this many connections being opened at once: ten thousand SYNs in one burst overflow
  // any listen queue, and the ones dropped come back only after TCP's retry, seconds later.
  static final java.util.concurrent.Semaphore CONNECTING = new java.util.concurrent.Semaphore(256);

  static java.net.Socket connect(URI uri) throws java.io.IOException {
    CONNECTING.acquireUninterruptibly();
    try {
      return new java.net.Socket(uri.getHost(), uri.getPort());
    } catch (java.io.IOException e) {
      CONNECTING.release();
      throw e;
    }
  }

  static final java.util.concurrent.atomic.AtomicInteger RECONNECTS =
      new java.util.concurrent.atomic.AtomicInteger();
  static final Pattern ID = Pattern.compile("\"id\":\"([0-9a-f-]{36})\"");
  static final Pattern PHONE = Pattern.compile("\"phone_number\":\"(\\d+)\"");

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    String base = args[1];
    String key = args[2];
    String service = args[3];
    byte[] secret = args[4].getBytes(StandardCharsets.UTF_8);
    int count = Integer.parseInt(args[5]);
    String reader = args.length > 6 ? args[6] : base;
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(20)).build();
    if (mode.equals("latency")) {
      latency(client, base, reader, key, service, secret, count);
    } else {
      hold(client, base, key, service, secret, count);
    }
  }

  static String[] rent(HttpClient client, String base, String key, String service) throws Exception {
    HttpResponse<String> rent =
        client.send(
            HttpRequest.newBuilder(URI.create(base + "/api/v1/rentals"))
                .header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"service_id\":\"" + service + "\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    Matcher id = ID.matcher(rent.body());
    Matcher phone = PHONE.matcher(rent.body());
    if (!id.find() || !phone.find()) {
      throw new IllegalStateException("cannot rent: " + rent.body());
    }
    return new String[] {id.group(1), phone.group(1)};
  }

  static HttpRequest sms(String base, byte[] secret, String phone, String code) throws Exception {
    String body = "{\"to\":\"" + phone + "\",\"from\":\"Bench\",\"text\":\"Your code is " + code + "\"}";
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret, "HmacSHA256"));
    long timestamp = System.currentTimeMillis() / 1000;
    String signature =
        HexFormat.of().formatHex(mac.doFinal((timestamp + "." + body).getBytes(StandardCharsets.UTF_8)));
    return HttpRequest.newBuilder(URI.create(base + "/api/v1/inbound/sms"))
        .header("Content-Type", "application/json")
        .header("X-Ohmyotp-Timestamp", String.valueOf(timestamp))
        .header("X-Ohmyotp-Signature", "sha256=" + signature)
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
  }

  static HttpRequest poll(String reader, String key, String rental) {
    // after=0: any SMS is new, so a poll that reaches the server after its SMS answers at once.
    return HttpRequest.newBuilder(URI.create(reader + "/api/v1/rentals/" + rental + "/code?wait=60&after=0"))
        .header("Authorization", "Bearer " + key)
        .timeout(Duration.ofSeconds(90))
        .build();
  }

  static long waiting(HttpClient client, String base) throws Exception {
    String metrics =
        client.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
    return metrics.lines()
        .filter(l -> l.startsWith("ohmyotp_code_waiting "))
        .mapToLong(l -> (long) Double.parseDouble(l.substring(l.indexOf(' ') + 1)))
        .findFirst()
        .orElse(-1);
  }

  static void awaitWaiting(HttpClient client, String base, long atLeast) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    long now;
    while ((now = waiting(client, base)) < atLeast) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "fewer than " + atLeast + " polls waiting after 120 s: " + now);
      }
      Thread.sleep(20);
    }
  }

  static void latency(HttpClient client, String base, String reader, String key, String service, byte[] secret, int count)
      throws Exception {
    List<Long> answered = new ArrayList<>();
    for (int i = 0; i < count + 20; i++) {
      String[] rental = rent(client, base, key, service);
      String code = String.valueOf(100000 + i);
      CompletableFuture<HttpResponse<String>> poll =
          client.sendAsync(poll(reader, key, rental[0]), HttpResponse.BodyHandlers.ofString());
      awaitWaiting(client, reader, 1);
      long posted = System.nanoTime();
      client.send(sms(base, secret, rental[1], code), HttpResponse.BodyHandlers.ofString());
      HttpResponse<String> answer = poll.get(60, TimeUnit.SECONDS);
      long took = System.nanoTime() - posted;
      if (!answer.body().contains("\"code\":\"" + code + "\"")) {
        throw new IllegalStateException("the poll answered without its code: " + answer.body());
      }
      if (i >= 20) {
        answered.add(took);
      }
    }
    Collections.sort(answered);
    System.out.printf("%.2f %.2f%n", answered.get(answered.size() / 2) / 1e6, answered.get((int) (answered.size() * 0.99)) / 1e6);
  }

  static void hold(HttpClient client, String base, String key, String service, byte[] secret, int count) throws Exception {
    int rentals = 100;
    List<String[]> held = new ArrayList<>();
    for (int i = 0; i < rentals; i++) {
      held.add(rent(client, base, key, service));
    }
    URI uri = URI.create(base);
    // One plain socket a poll, each on a virtual thread that writes its request and reads the
    // answer to the end: ten thousand connections open in seconds, a few hundred at a time.
    List<CompletableFuture<String>> polls = new ArrayList<>();
    try (var threads = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < count; i++) {
        String rental = held.get(i % rentals)[0];
        CompletableFuture<String> answer = new CompletableFuture<>();
        polls.add(answer);
        threads.submit(
            () -> {
              // A connection the listen queue could not take in the burst is opened again, as a
              // client would; it counts as a reconnect, not as a poll dropped.
              for (int attempt = 1; ; attempt++) {
                try (java.net.Socket socket = connect(uri)) {
                  try {
                    socket.getOutputStream()
                      .write(
                          ("GET /api/v1/rentals/" + rental + "/code?wait=60&after=0 HTTP/1.1\r\nHost: "
                                  + uri.getHost() + "\r\nAuthorization: Bearer " + key
                                  + "\r\nConnection: close\r\n\r\n")
                              .getBytes(StandardCharsets.US_ASCII));
                  } finally {
                    CONNECTING.release();
                  }
                  byte[] read = socket.getInputStream().readAllBytes();
                  if (read.length == 0 && attempt < 5) {
                    RECONNECTS.incrementAndGet();
                    continue;
                  }
                  answer.complete(new String(read, StandardCharsets.UTF_8));
                  return;
                } catch (java.io.IOException e) {
                  if (attempt >= 5) {
                    answer.completeExceptionally(e);
                    return;
                  }
                  RECONNECTS.incrementAndGet();
                }
              }
            });
      }
      try {
        awaitWaiting(client, base, count);
      } catch (IllegalStateException e) {
        long failed = polls.stream().filter(CompletableFuture::isCompletedExceptionally).count();
        long done = polls.stream().filter(CompletableFuture::isDone).count();
        String sample =
            polls.stream()
                .filter(CompletableFuture::isCompletedExceptionally)
                .findFirst()
                .map(f -> f.handle((v, t) -> String.valueOf(t)).join())
                .orElse("-");
        String first = polls.stream().filter(f -> f.isDone() && !f.isCompletedExceptionally()).findFirst().map(CompletableFuture::join).orElse("-");
        throw new IllegalStateException(e.getMessage() + "; " + done + " answered, " + failed + " failed: " + sample + "; first answer: " + first);
      }
      // Held: the caller reads the server's memory now, then the SMS answer them all.
      System.out.println("held " + count);
      System.out.flush();
      System.in.read();
      for (int i = 0; i < rentals; i++) {
        client.send(sms(base, secret, held.get(i)[1], String.valueOf(200000 + i)), HttpResponse.BodyHandlers.ofString());
      }
      int withCode = 0;
      int dropped = 0;
      for (int i = 0; i < count; i++) {
        try {
          String r = polls.get(i).get(60, TimeUnit.SECONDS);
          if (r.startsWith("HTTP/1.1 200") && r.contains("\"code\":\"" + (200000 + i % rentals) + "\"")) {
            withCode++;
          } else {
            dropped++;
          }
        } catch (Exception e) {
          dropped++;
        }
      }
      System.out.println("answered " + withCode + " dropped " + dropped + " reconnects " + RECONNECTS.get());
    }
  }
}
