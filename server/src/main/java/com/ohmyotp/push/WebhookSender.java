package com.ohmyotp.push;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.ohmyotp.db.Database;
import com.ohmyotp.db.Pipeline;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.client.BufferingResponseListener;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.util.SocketAddressResolver;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends due webhook deliveries, signed as Standard Webhooks sign, and records each attempt. A node
 * claims a delivery by moving its {@code claimed_until} past the longest attempt, so no two nodes
 * attempt it at once. Every request is asynchronous, with at most {@link #PER_ENDPOINT} in flight
 * to one endpoint: a receiver that hangs holds its own slots for the 10-second timeout and nobody
 * else's. A failure is retried on the Standard Webhooks schedule ({@link
 * DeliveryOutcome#RETRY_DELAYS}), with jitter and never sooner than the receiver's {@code
 * Retry-After}; a 410 disables the endpoint.
 *
 * <p>Claiming, sending and recording stay in one class: all three count the slots each endpoint has
 * in flight. The rules of retrying are {@link DeliveryOutcome}.
 */
public final class WebhookSender implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(WebhookSender.class);

  /** Requests in flight to one endpoint at most. */
  static final int PER_ENDPOINT = 8;

  /** Connections to one host and port at most, whichever endpoints they serve. */
  static final int CONNECTIONS_PER_HOST = 256;

  static final Duration TIMEOUT = Duration.ofSeconds(10);

  /** How long a claim lasts: longer than any attempt. */
  static final Duration CLAIM = Duration.ofSeconds(30);

  private static final int BATCH = 200;
  private static final int RECORD_BATCH = 200;
  private static final int MAX_ERROR = 300;

  private final Database db;
  private final Webhooks webhooks;
  private final EventLog events;
  private final UrlGuard guard;
  private final ObjectMapper json;
  private final Clock clock;
  private final HttpClient http;
  private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
  // Opening a sealed secret is a decryption: each is opened once while its endpoint is sent to.
  private final Cache<String, String> opened =
      Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(Duration.ofMinutes(10)).build();

  private final Waker sending =
      new Waker(
          "ohmyotp-webhook-sender",
          () -> {
            while (sendDue() == BATCH) {
              // A full batch: there may be more due.
            }
          });
  private volatile boolean closed;
  private Thread recorder;
  private final java.util.concurrent.LinkedBlockingQueue<Attempt> attempts =
      new java.util.concurrent.LinkedBlockingQueue<>();

  public WebhookSender(
      Database db,
      Webhooks webhooks,
      EventLog events,
      UrlGuard guard,
      ObjectMapper json,
      Clock clock) {
    this.db = db;
    this.webhooks = webhooks;
    this.events = events;
    this.guard = guard;
    this.json = json;
    this.clock = clock;
    QueuedThreadPool threads = new QueuedThreadPool(16, 2);
    threads.setName("ohmyotp-webhooks");
    threads.setDaemon(true);
    this.http = new HttpClient();
    http.setExecutor(threads);
    http.setFollowRedirects(false);
    http.setConnectTimeout(TIMEOUT.toMillis());
    http.setIdleTimeout(TIMEOUT.toMillis());
    // Many customers' endpoints may share a host (a relay service, one receiver): a host is not
    // the unit of isolation, an endpoint is (PER_ENDPOINT), so the host's own limits stay wide.
    http.setMaxConnectionsPerDestination(CONNECTIONS_PER_HOST);
    http.setMaxRequestsQueuedPerDestination(64 * CONNECTIONS_PER_HOST);
    http.setUserAgentField(new HttpField(HttpHeader.USER_AGENT, "ohmyotp-webhooks/1"));
    http.setSocketAddressResolver(new Guarded(guard));
  }

  /** Resolves each connection's host anew and refuses addresses the rules forbid. */
  private record Guarded(UrlGuard guard) implements SocketAddressResolver {
    @Override
    public void resolve(
        String host,
        int port,
        Map<String, Object> context,
        org.eclipse.jetty.util.Promise<List<InetSocketAddress>> promise) {
      Thread.startVirtualThread(
          () -> {
            try {
              List<InetSocketAddress> addresses = new ArrayList<>();
              for (InetAddress a : guard.addressesFor(host)) {
                addresses.add(new InetSocketAddress(a, port));
              }
              promise.succeeded(addresses);
            } catch (Exception e) {
              promise.failed(e);
            }
          });
    }
  }

  public void start() {
    try {
      http.start();
    } catch (Exception e) {
      throw new IllegalStateException("the webhook client did not start", e);
    }
    events.onNewEvents(this::wake);
    sending.start();
    recorder =
        Thread.ofPlatform().name("ohmyotp-webhook-recorder").daemon(true).start(this::recordLoop);
  }

  /** Asks the sender to look for due deliveries now. */
  public void wake() {
    sending.wake();
  }

  /** Claims what is due, for endpoints with a free slot, and sends it; returns how many. */
  int sendDue() {
    long now = clock.millis();
    List<String> busy =
        inFlight.entrySet().stream()
            .filter(e -> e.getValue().get() >= PER_ENDPOINT)
            .map(Map.Entry::getKey)
            .toList();
    List<Long> claimed = claim(now, busy);
    if (claimed.isEmpty()) {
      return 0;
    }
    List<Webhooks.Target> targets = targets(claimed);
    Map<Long, Event> byId = new HashMap<>();
    List<Long> eventIds =
        targets.stream().map(Webhooks.Target::eventId).filter(id -> id != null).toList();
    if (!eventIds.isEmpty()) {
      events.findAll(eventIds).forEach(e -> byId.put(e.id(), e));
    }
    List<Long> later = new ArrayList<>();
    for (Webhooks.Target t : targets) {
      AtomicInteger slots = inFlight.computeIfAbsent(t.endpointId(), k -> new AtomicInteger());
      if (slots.get() >= PER_ENDPOINT) {
        later.add(t.deliveryId());
        continue;
      }
      send(t, t.eventId() == null ? null : byId.get(t.eventId()), slots);
    }
    if (!later.isEmpty()) {
      // Claimed in the same batch as others to a busy endpoint: due again at the next look.
      db.inTransaction(
          h ->
              h.createUpdate(
                      "UPDATE webhook_deliveries SET claimed_until = NULL WHERE id IN (<ids>)")
                  .bindList("ids", later)
                  .execute());
    }
    return claimed.size();
  }

  private List<Long> claim(long now, List<String> busy) {
    String notBusy = busy.isEmpty() ? "" : " AND endpoint_id NOT IN (<busy>)";
    return db.inTransaction(
        h -> {
          if (db.dialect() == Database.Dialect.POSTGRESQL) {
            var update =
                h.createUpdate(
                        """
                        UPDATE webhook_deliveries SET claimed_until = :until
                        WHERE id IN (SELECT id FROM webhook_deliveries
                                     WHERE state = 'pending' AND next_attempt_at <= :now
                                       AND (claimed_until IS NULL OR claimed_until < :now)"""
                            + notBusy
                            + """

                                     ORDER BY next_attempt_at LIMIT :limit
                                     FOR UPDATE SKIP LOCKED)
                        """)
                    .bind("until", now + CLAIM.toMillis())
                    .bind("now", now)
                    .bind("limit", BATCH);
            if (!busy.isEmpty()) {
              update.bindList("busy", busy);
            }
            return update.executeAndReturnGeneratedKeys("id").mapTo(Long.class).list();
          }
          var select =
              h.createQuery(
                      """
                      SELECT id FROM webhook_deliveries
                      WHERE state = 'pending' AND next_attempt_at <= :now
                        AND (claimed_until IS NULL OR claimed_until < :now)"""
                          + notBusy
                          + " ORDER BY next_attempt_at LIMIT :limit FOR UPDATE")
                  .bind("now", now)
                  .bind("limit", BATCH);
          if (!busy.isEmpty()) {
            select.bindList("busy", busy);
          }
          List<Long> ids = select.mapTo(Long.class).list();
          if (!ids.isEmpty()) {
            h.createUpdate(
                    "UPDATE webhook_deliveries SET claimed_until = :until WHERE id IN (<ids>)")
                .bind("until", now + CLAIM.toMillis())
                .bindList("ids", ids)
                .execute();
          }
          return ids;
        });
  }

  private List<Webhooks.Target> targets(List<Long> ids) {
    return db.read(
        h ->
            h.createQuery(
                    """
                    SELECT d.id, d.endpoint_id, d.type, d.event_id, d.attempts, d.created_at,
                           w.account_id, w.url, w.secret, w.previous_secret,
                           w.previous_secret_until
                    FROM webhook_deliveries d JOIN webhook_endpoints w ON w.id = d.endpoint_id
                    WHERE d.id IN (<ids>)
                    ORDER BY d.id
                    """)
                .bindList("ids", ids)
                .map(
                    (rs, ctx) -> {
                      long event = rs.getLong("event_id");
                      Long eventId = rs.wasNull() ? null : event;
                      long until = rs.getLong("previous_secret_until");
                      Long previousUntil = rs.wasNull() ? null : until;
                      String sealed = rs.getString("secret");
                      String previous = rs.getString("previous_secret");
                      List<String> secrets =
                          webhooks.signing(sealed, previous, previousUntil).stream()
                              .map(s -> opened.get(s, webhooks::open))
                              .toList();
                      return new Webhooks.Target(
                          rs.getLong("id"),
                          rs.getString("endpoint_id"),
                          rs.getLong("account_id"),
                          rs.getString("url"),
                          secrets,
                          rs.getString("type"),
                          eventId,
                          rs.getInt("attempts"),
                          rs.getLong("created_at"));
                    })
                .list());
  }

  /**
   * The body of a delivery: Standard Webhooks' {@code type}, {@code timestamp} and {@code data}.
   */
  byte[] payload(Webhooks.Target t, Event event) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("type", t.type());
    long at = event != null ? event.createdAt() : t.createdAt();
    body.put("timestamp", DateTimeFormatter.ISO_INSTANT.format(Instant.ofEpochSecond(at)));
    if (event != null) {
      body.put("data", event.data());
    } else {
      Map<String, Object> data = new LinkedHashMap<>();
      data.put("webhook_id", t.endpointId());
      data.put("message", "A test event, sent from your webhook settings.");
      body.put("data", data);
    }
    try {
      return json.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a delivery's body always serializes", e);
    }
  }

  private void send(Webhooks.Target t, Event event, AtomicInteger slots) {
    if (t.eventId() != null && event == null) {
      // The event was forgotten (kept for days, longer than every retry): nothing left to send.
      record(t, null, "the event is no longer kept", 0, null);
      return;
    }
    byte[] body = payload(t, event);
    String messageId = "msg_" + t.deliveryId();
    long timestamp = clock.instant().getEpochSecond();
    String signature = WebhookSignature.sign(t.secrets(), messageId, timestamp, body);
    slots.incrementAndGet();
    long started = System.nanoTime();
    URI uri = URI.create(t.url());
    http.newRequest(uri)
        .method(HttpMethod.POST)
        .timeout(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
        .headers(
            h -> {
              h.put("webhook-id", messageId);
              h.put("webhook-timestamp", String.valueOf(timestamp));
              h.put("webhook-signature", signature);
            })
        .body(new BytesRequestContent("application/json", body))
        .send(
            new BufferingResponseListener(4096) {
              @Override
              public void onComplete(Result result) {
                slots.decrementAndGet();
                int millis = (int) ((System.nanoTime() - started) / 1_000_000);
                Response response = result.getResponse();
                Integer status =
                    result.getResponseFailure() == null && response != null
                        ? response.getStatus()
                        : null;
                String error = result.isFailed() ? describe(result.getFailure()) : null;
                String retryAfter =
                    response == null ? null : response.getHeaders().get(HttpHeader.RETRY_AFTER);
                record(t, status, error, millis, retryAfter);
                wake();
              }
            });
  }

  private static String describe(Throwable failure) {
    Throwable root = failure;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String text =
        root instanceof java.util.concurrent.TimeoutException
            ? "no answer within " + TIMEOUT.toSeconds() + " s"
            : root instanceof UrlGuard.ForbiddenAddress f
                ? f.getMessage()
                : root.getClass().getSimpleName()
                    + (root.getMessage() == null ? "" : ": " + root.getMessage());
    return text.length() <= MAX_ERROR ? text : text.substring(0, MAX_ERROR);
  }

  /** An attempt's outcome, waiting to be written with others. */
  record Attempt(
      Webhooks.Target target, Integer status, String error, int millis, String retryAfter) {}

  /** Queues an attempt's outcome for the recorder, which writes many in one transaction. */
  void record(Webhooks.Target t, Integer status, String error, int millis, String retryAfter) {
    attempts.add(new Attempt(t, status, error, millis, retryAfter));
  }

  private void recordLoop() {
    List<Attempt> batch = new ArrayList<>();
    while (!closed) {
      try {
        batch.add(attempts.take());
      } catch (InterruptedException e) {
        return;
      }
      attempts.drainTo(batch, RECORD_BATCH - 1);
      try {
        record(batch);
      } catch (RuntimeException e) {
        // The claims run out and another look sends them again: at least once.
        log.warn("recording {} webhook attempts failed: {}", batch.size(), e.toString());
      }
      batch.clear();
    }
  }

  /**
   * Writes attempts' outcomes in one transaction: delivered, to be retried, failed, or the endpoint
   * disabled.
   */
  private void record(List<Attempt> batch) {
    long now = clock.millis();
    List<String> gone = new ArrayList<>();
    db.inTransaction(
        h -> {
          Pipeline writes = db.pipeline(h);
          for (Attempt a : batch) {
            if (add(writes, a, now) == DeliveryOutcome.GONE) {
              gone.add(a.target().endpointId());
            }
          }
          writes.run();
          return null;
        });
    gone.forEach(id -> log.info("webhook endpoint {} answered 410: disabled", id));
  }

  private DeliveryOutcome add(Pipeline writes, Attempt a, long now) {
    Webhooks.Target t = a.target();
    Integer status = a.status();
    int attempts = t.attempts() + 1;
    DeliveryOutcome outcome = DeliveryOutcome.of(status, a.error(), attempts);
    String lastError =
        a.error() != null
            ? a.error()
            : outcome == DeliveryOutcome.DELIVERED ? null : "answered " + status;
    writes
        .add(
            """
            INSERT INTO webhook_attempts (delivery_id, attempted_at, status, error, duration_ms)
            VALUES (:delivery, :at, :status, :error, :millis)
            """)
        .bind("delivery", t.deliveryId())
        .bind("at", now / 1000)
        .bind("status", status)
        .bind("error", lastError)
        .bind("millis", a.millis());
    long next =
        outcome == DeliveryOutcome.RETRY
            ? now + DeliveryOutcome.retryDelay(attempts, a.retryAfter(), now)
            : now;
    writes
        .add(
            """
            UPDATE webhook_deliveries
            SET state = :state, attempts = :attempts, next_attempt_at = :next,
                claimed_until = NULL, last_status = :status, last_error = :error,
                finished_at = :finished
            WHERE id = :id
            """)
        .bind("state", outcome == DeliveryOutcome.RETRY ? "pending" : outcome.state)
        .bind("attempts", attempts)
        .bind("next", next)
        .bind("status", status)
        .bind("error", lastError)
        .bind("finished", outcome == DeliveryOutcome.RETRY ? null : (Long) (now / 1000))
        .bind("id", t.deliveryId());
    if (outcome == DeliveryOutcome.GONE) {
      writes
          .add(
              """
              UPDATE webhook_endpoints
              SET enabled = FALSE, disabled_reason = :reason WHERE id = :id
              """)
          .bind("reason", "The endpoint answered 410 Gone; enable it again to resume.")
          .bind("id", t.endpointId());
      writes
          .add(
              """
              UPDATE webhook_deliveries
              SET state = 'failed', last_error = :reason, finished_at = :finished
              WHERE endpoint_id = :id AND state = 'pending' AND id <> :delivery
              """)
          .bind("reason", "not sent: the endpoint was disabled (410 Gone)")
          .bind("finished", now / 1000)
          .bind("id", t.endpointId())
          .bind("delivery", t.deliveryId());
    }
    return outcome;
  }

  @Override
  public void close() {
    closed = true;
    sending.close();
    if (recorder != null) {
      recorder.interrupt();
    }
    try {
      http.stop();
    } catch (Exception e) {
      log.warn("stopping the webhook client: {}", e.toString());
    }
  }
}
