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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * SMS to client: the time from posting a signed SMS to the webhook until the rental's
 * {@code /code} returns its code, over many rentals; next to the floor of the same two round trips
 * to {@code /healthz}, measured in the same run. Each rental is polled once before its SMS, as a
 * customer waiting for the code would have, so the node has its state in memory. With a reader
 * base, the SMS goes to one node and the polls to the other. JDK only:
 * {@code java bench/SmsLatency.java <base> <api key> <service> <gateway secret> <count> [<reader base>]}.
 */
public final class SmsLatency {

  public static void main(String[] args) throws Exception {
    String base = args[0];
    String key = args[1];
    String service = args[2];
    byte[] secret = args[3].getBytes(StandardCharsets.UTF_8);
    int count = Integer.parseInt(args[4]);
    String reader = args.length > 5 ? args[5] : base;
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    Pattern id = Pattern.compile("\"id\":\"([0-9a-f-]{36})\"");
    Pattern phone = Pattern.compile("\"phone_number\":\"(\\d+)\"");
    List<Long> sms = new ArrayList<>();
    List<Long> floor = new ArrayList<>();
    for (int i = 0; i < count + 50; i++) {
      HttpResponse<String> rent = client.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/rentals"))
          .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"service_id\":\"" + service + "\"}")).build(),
          HttpResponse.BodyHandlers.ofString());
      Matcher idm = id.matcher(rent.body());
      Matcher pm = phone.matcher(rent.body());
      if (!idm.find() || !pm.find()) {
        throw new IllegalStateException("cannot rent: " + rent.body());
      }
      String code = String.valueOf(100000 + i);
      String body = "{\"to\":\"" + pm.group(1) + "\",\"from\":\"Bench\",\"text\":\"Your code is " + code + "\"}";
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      long timestamp = System.currentTimeMillis() / 1000;
      String signature =
          HexFormat.of().formatHex(mac.doFinal((timestamp + "." + body).getBytes(StandardCharsets.UTF_8)));

      HttpRequest poll = HttpRequest.newBuilder(URI.create(reader + "/api/v1/rentals/" + idm.group(1) + "/code"))
          .header("Authorization", "Bearer " + key).build();
      if (client.send(poll, HttpResponse.BodyHandlers.ofString()).body().contains("\"code\":\"")) {
        throw new IllegalStateException("a code before its SMS");
      }

      long t0 = System.nanoTime();
      client.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/inbound/sms"))
          .header("X-Ohmyotp-Timestamp", String.valueOf(timestamp))
          .header("X-Ohmyotp-Signature", "sha256=" + signature).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
      String got;
      do {
        got = client.send(poll, HttpResponse.BodyHandlers.ofString()).body();
      } while (!got.contains("\"code\":\"" + code + "\""));
      long t1 = System.nanoTime();
      client.send(HttpRequest.newBuilder(URI.create(base + "/healthz")).build(), HttpResponse.BodyHandlers.ofString());
      client.send(HttpRequest.newBuilder(URI.create(reader + "/healthz")).build(), HttpResponse.BodyHandlers.ofString());
      long t2 = System.nanoTime();
      if (i >= 50) { // the first 50 warm up
        sms.add((t1 - t0) / 1000);
        floor.add((t2 - t1) / 1000);
      }
    }
    Collections.sort(sms);
    Collections.sort(floor);
    System.out.printf("%.2f %.2f %.2f %.2f%n", sms.get(sms.size() / 2) / 1000.0, sms.get((int) (sms.size() * 0.99)) / 1000.0,
        floor.get(floor.size() / 2) / 1000.0, floor.get((int) (floor.size() * 0.99)) / 1000.0);
  }
}
