package com.ohmyotp.upstream;

import com.ohmyotp.db.Database;
import com.ohmyotp.sms.Delivery;
import com.ohmyotp.sms.InboundSms;
import com.ohmyotp.sms.SmsSink;
import com.ohmyotp.smsactivate.HandlerApiClient;
import com.ohmyotp.smsactivate.HandlerApiClient.Peer;
import com.ohmyotp.smsactivate.HandlerApiClient.UpstreamException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Codes of the numbers bought from providers: each of their rentals that holds its number is polled
 * with {@code getStatus} about every {@link #INTERVAL}, on whichever node takes its turn first (a
 * turn is taken by moving the rental's next poll on, in one conditional update), and each code goes
 * into the same SMS path as a gateway's, stored once however often it is seen. When such a rental
 * ends, its provider is told — {@code setStatus 6} when a code came, {@code 8} when none did —
 * through the outbox.
 *
 * <p>Over 300 lines because polling has two ways (one list per provider, or one call per rental)
 * and the telling of ends shares their turns.
 */
public final class UpstreamPoller {

  private static final Logger log = LoggerFactory.getLogger(UpstreamPoller.class);

  /** How often a rental is polled, at most; each turn adds up to half of it again as jitter. */
  static final Duration INTERVAL = Duration.ofSeconds(2);

  /** How many rentals a node takes per pass. */
  static final int BATCH = 500;

  /** A code as the SMS store keeps it. */
  private static final Pattern CODE = Pattern.compile("[A-Za-z0-9-]{1,32}");

  private final Database db;
  private final Providers providers;
  private final HandlerApiClient client;
  private final ProviderOutbox outbox;
  private final SmsSink sink;
  private final ProviderHealth health;
  private final Reconciler reconciler;
  private final Clock clock;
  private final ExecutorService calls = Executors.newVirtualThreadPerTaskExecutor();

  public UpstreamPoller(
      Database db,
      Providers providers,
      HandlerApiClient client,
      ProviderOutbox outbox,
      SmsSink sink,
      ProviderHealth health,
      Reconciler reconciler,
      Clock clock) {
    this.db = db;
    this.providers = providers;
    this.client = client;
    this.outbox = outbox;
    this.sink = sink;
    this.health = health;
    this.reconciler = reconciler;
    this.clock = clock;
  }

  /** A provider rental whose turn this node took. */
  private record Due(
      String rentalId, int providerId, String provider, String activation, String e164) {}

  /**
   * One pass: the due rentals polled, the ended ones told to their providers, numbers bought and
   * never recorded found.
   */
  public int runOnce() {
    int polled = poll();
    tellEnded();
    reconciler.runOnce();
    return polled;
  }

  private int poll() {
    long now = now();
    List<Due> found =
        db.read(
            h ->
                h.createQuery(
                        """
                        SELECT ur.rental_id, ur.provider_id, ur.provider_name, ur.activation, p.e164
                        FROM upstream_rentals ur
                        JOIN rentals r ON r.id = ur.rental_id
                        JOIN phone_numbers p ON p.id = r.number_id
                        WHERE ur.told_at IS NULL AND ur.next_poll_at <= :now
                          AND r.status IN ('active', 'completed') AND r.expires_at > :now
                        ORDER BY ur.next_poll_at
                        LIMIT :batch
                        """)
                    .bind("now", now)
                    .bind("batch", BATCH)
                    .map(
                        (rs, ctx) ->
                            new Due(
                                rs.getString("rental_id"),
                                rs.getInt("provider_id"),
                                rs.getString("provider_name"),
                                rs.getString("activation"),
                                rs.getString("e164")))
                    .list());
    // A provider that keeps failing is polled less and less often, up to once a minute.
    List<Due> candidates = found.stream().filter(d -> !backingOff(d.providerId(), now)).toList();
    if (candidates.isEmpty()) {
      return 0;
    }
    // The turns taken in one statement: a rental moved on by another node meanwhile is not
    // returned, and so not polled here.
    long next =
        now
            + INTERVAL.toSeconds()
            + ThreadLocalRandom.current().nextLong(INTERVAL.toSeconds() / 2 + 1);
    java.util.Set<String> taken =
        new java.util.HashSet<>(
            db.inTransaction(
                h ->
                    h.createUpdate(
                            "UPDATE upstream_rentals SET next_poll_at = :next"
                                + " WHERE rental_id IN (<ids>) AND next_poll_at <= :now")
                        .bindList("ids", candidates.stream().map(Due::rentalId).toList())
                        .bind("next", next)
                        .bind("now", now)
                        .executeAndReturnGeneratedKeys("rental_id")
                        .mapTo(String.class)
                        .list()));
    List<Due> mine = candidates.stream().filter(d -> taken.contains(d.rentalId())).toList();
    Map<Integer, List<Due>> byProvider =
        mine.stream().collect(Collectors.groupingBy(Due::providerId));
    List<Future<?>> running = new ArrayList<>();
    for (Map.Entry<Integer, List<Due>> e : byProvider.entrySet()) {
      Optional<Providers.Reach> reach = providers.reach(e.getKey());
      if (reach.isEmpty()) {
        continue;
      }
      if (listsActivations(e.getKey()) && pollByList(reach.get(), e.getKey(), e.getValue())) {
        continue;
      }
      for (Due due : e.getValue()) {
        running.add(calls.submit(() -> pollOne(reach.get().peer(), due)));
      }
    }
    for (Future<?> f : running) {
      try {
        f.get();
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
        return mine.size();
      } catch (java.util.concurrent.ExecutionException ee) {
        log.warn("polling a provider rental failed: {}", ee.getCause().toString());
      }
    }
    return mine.size();
  }

  /** How long a failing provider is left alone at most between polls. */
  static final Duration MAX_BACKOFF = Duration.ofMinutes(1);

  /** Failures in a row of each provider's polls, and when it may be polled again. */
  private record Backoff(int failures, long until) {}

  private final Map<Integer, Backoff> backoff = new java.util.concurrent.ConcurrentHashMap<>();

  private boolean backingOff(int providerId, long now) {
    Backoff b = backoff.get(providerId);
    return b != null && b.until() > now;
  }

  private void answered(int providerId) {
    backoff.remove(providerId);
  }

  private void failed(int providerId) {
    long now = now();
    backoff.compute(
        providerId,
        (id, b) -> {
          int failures = b == null ? 1 : b.failures() + 1;
          long wait = Math.min(MAX_BACKOFF.toSeconds(), 1L << Math.min(failures, 6));
          return new Backoff(
              failures, now + wait + ThreadLocalRandom.current().nextLong(wait / 2 + 1));
        });
  }

  /** Providers that answered getActiveActivations with something else, and until when. */
  private final Map<Integer, Long> noListUntil = new java.util.concurrent.ConcurrentHashMap<>();

  /** How long a provider without getActiveActivations is polled rental by rental. */
  static final Duration LIST_RETRY = Duration.ofMinutes(10);

  private boolean listsActivations(int providerId) {
    Long until = noListUntil.get(providerId);
    return until == null || until <= now();
  }

  /**
   * Polls all of a provider's due rentals with one {@code getActiveActivations}; false, and the
   * provider polled rental by rental for a while, when it does not offer that action.
   */
  private boolean pollByList(Providers.Reach reach, int providerId, List<Due> due) {
    com.fasterxml.jackson.databind.JsonNode listed;
    long started = System.nanoTime();
    try {
      listed = client.getActiveActivations(reach.peer());
      health.call(reach.name(), System.nanoTime() - started, true);
      answered(providerId);
    } catch (UpstreamException e) {
      health.call(reach.name(), System.nanoTime() - started, false);
      failed(providerId);
      noListUntil.put(providerId, now() + LIST_RETRY.toSeconds());
      return false;
    }
    com.fasterxml.jackson.databind.JsonNode list = listed.path("activeActivations");
    if (!list.isArray()) {
      // An empty list is an error word in some providers' dialect ({"status":"error",...}).
      if (listed.path("status").asText().equals("error")) {
        return true;
      }
      noListUntil.put(providerId, now() + LIST_RETRY.toSeconds());
      return false;
    }
    Map<String, com.fasterxml.jackson.databind.JsonNode> byActivation = new java.util.HashMap<>();
    for (com.fasterxml.jackson.databind.JsonNode a : list) {
      byActivation.put(a.path("activationId").asText(""), a);
    }
    for (Due d : due) {
      com.fasterxml.jackson.databind.JsonNode a = byActivation.get(d.activation());
      if (a == null) {
        continue;
      }
      com.fasterxml.jackson.databind.JsonNode codes = a.path("smsCode");
      String code =
          codes.isArray() && !codes.isEmpty()
              ? codes.get(codes.size() - 1).asText("")
              : codes.isTextual() ? codes.asText() : "";
      if (!code.isBlank()) {
        String text = a.path("smsText").isTextual() ? a.path("smsText").asText() : code;
        deliver(d, code.strip(), text.isBlank() ? code.strip() : text);
      }
    }
    return true;
  }

  private void pollOne(Peer peer, Due due) {
    String answer;
    long started = System.nanoTime();
    try {
      answer = client.getStatus(peer, due.activation());
      health.call(due.provider(), System.nanoTime() - started, true);
      answered(due.providerId());
    } catch (UpstreamException e) {
      health.call(due.provider(), System.nanoTime() - started, false);
      failed(due.providerId());
      log.info(
          "provider {} getStatus of {} failed: {}",
          due.provider(),
          due.activation(),
          e.getMessage());
      return;
    }
    if (!answer.startsWith("STATUS_OK:")) {
      return;
    }
    String code = answer.substring("STATUS_OK:".length()).strip();
    if (code.isEmpty()) {
      return;
    }
    deliver(due, code, code);
  }

  /** A code seen at the provider, into the SMS path: stored once, however often it is seen. */
  private void deliver(Due due, String code, String text) {
    Delivery delivery =
        sink.deliverFor(
            due.rentalId(),
            new InboundSms(
                due.e164(),
                due.provider(),
                text.length() > 2000 ? text.substring(0, 2000) : text,
                null,
                "upstream:" + due.providerId() + ":" + due.activation() + ":" + code,
                CODE.matcher(code).matches() ? code : null));
    if (delivery instanceof Delivery.ToRental) {
      log.info("code from provider {} delivered to rental {}", due.provider(), due.rentalId());
    }
  }

  /** Tells providers of their rentals that ended: setStatus 6 after a code, 8 without one. */
  private void tellEnded() {
    long now = now();
    record Ended(String rentalId, int providerId, String activation, int smsCount) {}
    List<Ended> ended =
        db.read(
            h ->
                h.createQuery(
                        """
                        SELECT ur.rental_id, ur.provider_id, ur.activation, r.sms_count
                        FROM upstream_rentals ur JOIN rentals r ON r.id = ur.rental_id
                        WHERE ur.told_at IS NULL
                          AND (r.status NOT IN ('active', 'completed') OR r.expires_at <= :now)
                        LIMIT :batch
                        """)
                    .bind("now", now)
                    .bind("batch", BATCH)
                    .map(
                        (rs, ctx) ->
                            new Ended(
                                rs.getString("rental_id"),
                                rs.getInt("provider_id"),
                                rs.getString("activation"),
                                rs.getInt("sms_count")))
                    .list());
    for (Ended e : ended) {
      db.inTransaction(
          h -> {
            int won =
                h.createUpdate(
                        "UPDATE upstream_rentals SET told_at = :now"
                            + " WHERE rental_id = :id AND told_at IS NULL")
                    .bind("now", now)
                    .bind("id", e.rentalId())
                    .execute();
            if (won == 1) {
              boolean coded = e.smsCount() > 0;
              outbox.add(
                  h,
                  e.providerId(),
                  e.activation(),
                  coded ? ProviderOutbox.FINISH : ProviderOutbox.CANCEL,
                  coded ? "ended_with_code" : "ended_without_code");
            }
            return won;
          });
    }
  }

  private long now() {
    return clock.instant().getEpochSecond();
  }
}
