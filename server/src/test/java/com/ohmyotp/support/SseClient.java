package com.ohmyotp.support;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A server-sent events client as the HTML spec reads a stream: {@code id:}, {@code event:} and
 * {@code data:} lines make an event at a blank line; comments ({@code :}) are kept apart.
 */
public final class SseClient implements AutoCloseable {

  /** One event of the stream. */
  public record SseEvent(String id, String event, String data) {}

  private static final HttpClient CLIENT = HttpClient.newHttpClient();

  private final BlockingQueue<SseEvent> events = new LinkedBlockingQueue<>();
  private final BlockingQueue<String> comments = new LinkedBlockingQueue<>();
  private final CompletableFuture<HttpResponse<Stream<String>>> response;
  private volatile Stream<String> lines;

  public SseClient(String url, String key, Map<String, String> headers) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(url))
            .header("Authorization", "Bearer " + key)
            .header("Accept", "text/event-stream");
    headers.forEach(request::header);
    response = CLIENT.sendAsync(request.build(), HttpResponse.BodyHandlers.ofLines());
    response.thenAcceptAsync(
        r -> {
          lines = r.body();
          String[] id = {null};
          String[] event = {null};
          StringBuilder data = new StringBuilder();
          try {
            lines.forEach(
                line -> {
                  if (line.isEmpty()) {
                    if (!data.isEmpty() || event[0] != null) {
                      events.add(new SseEvent(id[0], event[0], data.toString()));
                    }
                    event[0] = null;
                    data.setLength(0);
                  } else if (line.startsWith(":")) {
                    comments.add(line.substring(1).strip());
                  } else if (line.startsWith("id:")) {
                    id[0] = line.substring(3).strip();
                  } else if (line.startsWith("event:")) {
                    event[0] = line.substring(6).strip();
                  } else if (line.startsWith("data:")) {
                    if (!data.isEmpty()) {
                      data.append('\n');
                    }
                    data.append(line.substring(5).strip());
                  }
                });
          } catch (RuntimeException closed) {
            // The stream was closed by close().
          }
        });
  }

  /** The status and headers once the stream has started. */
  public HttpResponse<Stream<String>> response() throws Exception {
    return response.get(10, TimeUnit.SECONDS);
  }

  /** Waits for the stream's first comment, sent when it has subscribed. */
  public String comment(Duration within) throws InterruptedException {
    return comments.poll(within.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The next event, or null when none comes within {@code within}. */
  public SseEvent next(Duration within) throws InterruptedException {
    return events.poll(within.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    Stream<String> open = lines;
    if (open != null) {
      open.close();
    }
    response.cancel(true);
  }
}
