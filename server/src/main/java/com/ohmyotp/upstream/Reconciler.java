package com.ohmyotp.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.ohmyotp.db.Database;
import com.ohmyotp.smsactivate.HandlerApiClient;
import com.ohmyotp.smsactivate.HandlerApiClient.UpstreamException;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds numbers bought from a provider and never recorded — the process died, or the answer was
 * lost, between the provider's sale and our commit — and cancels them at the provider. An attempt
 * left unsettled for {@link #STALE} is the sign: if it knows its activation, that is cancelled; if
 * not, the provider's open activations ({@code getActiveActivations}) are compared with every one
 * we know, and one that stays unknown for {@link #ORPHAN_AFTER} is cancelled. The provider's API
 * key must therefore be ohmyotp's alone.
 */
public final class Reconciler {

  private static final Logger log = LoggerFactory.getLogger(Reconciler.class);

  /** The default of {@code after}: well past any attempt's read timeout and commit. */
  public static final Duration AFTER = Duration.ofSeconds(30);

  private final Database db;
  private final Providers providers;
  private final HandlerApiClient client;
  private final ProviderOutbox outbox;
  private final PurchaseAttempts attempts;
  private final long afterSeconds;
  private final Clock clock;
  private volatile long lastRun = Long.MIN_VALUE;
  // Activations a provider listed that no rental here knew, and when each was first seen.
  private final Map<String, Long> unknownSince = new ConcurrentHashMap<>();
  // Attempts whose provider was compared, and when this node first compared it for them.
  private final Map<Long, Long> comparedSince = new ConcurrentHashMap<>();

  public Reconciler(
      Database db,
      Providers providers,
      HandlerApiClient client,
      ProviderOutbox outbox,
      PurchaseAttempts attempts,
      Duration after,
      Clock clock) {
    this.db = db;
    this.providers = providers;
    this.client = client;
    this.outbox = outbox;
    this.attempts = attempts;
    this.afterSeconds = Math.max(1, after.toSeconds());
    this.clock = clock;
  }

  private record Stale(long id, int providerId, String activation, long startedAt) {}

  /** One pass over the stale attempts. */
  public void runOnce() {
    long now = now();
    // A pass every tenth of the wait at most: stale attempts are rare, and each pass may ask a
    // provider for its activations.
    if (now < lastRun + Math.max(1, afterSeconds / 10)) {
      return;
    }
    lastRun = now;
    List<Stale> stale =
        db.read(
            h ->
                h.createQuery(
                        "SELECT id, provider_id, activation, started_at FROM provider_purchases"
                            + " WHERE settled_at IS NULL AND started_at <= :before"
                            + " ORDER BY id LIMIT 100")
                    .bind("before", now - afterSeconds)
                    .map(
                        (rs, ctx) ->
                            new Stale(
                                rs.getLong("id"),
                                rs.getInt("provider_id"),
                                rs.getString("activation"),
                                rs.getLong("started_at")))
                    .list());
    Set<Integer> compared = new HashSet<>();
    for (Stale s : stale) {
      if (s.activation() != null) {
        cancelIfUnrecorded(s);
        continue;
      }
      if (compared.add(s.providerId())) {
        compare(s.providerId(), now);
      }
      // Settled once an unknown activation has had time to be seen twice, and so cancelled.
      long since = comparedSince.computeIfAbsent(s.id(), id -> now);
      if (since <= now - 2 * afterSeconds) {
        attempts.settle(s.id());
        comparedSince.remove(s.id());
      }
    }
  }

  private void cancelIfUnrecorded(Stale s) {
    db.inTransaction(
        h -> {
          boolean recorded =
              h.createQuery(
                          "SELECT COUNT(*) FROM upstream_rentals"
                              + " WHERE provider_id = :p AND activation = :a")
                      .bind("p", s.providerId())
                      .bind("a", s.activation())
                      .mapTo(Long.class)
                      .one()
                  > 0;
          if (!recorded) {
            outbox.add(h, s.providerId(), s.activation(), ProviderOutbox.CANCEL, "never_recorded");
            log.warn(
                "activation {} of provider {} was bought and never recorded: cancelling it",
                s.activation(),
                s.providerId());
          }
          attempts.settle(h, s.id());
          return null;
        });
  }

  /** Cancels the provider's open activations that no rental, attempt or queued call knows. */
  private void compare(int providerId, long now) {
    Optional<Providers.Reach> reach = providers.reach(providerId);
    if (reach.isEmpty()) {
      return;
    }
    JsonNode listed;
    try {
      listed = client.getActiveActivations(reach.get().peer());
    } catch (UpstreamException e) {
      log.warn(
          "provider {} cannot list its activations ({}): numbers bought and never recorded there"
              + " end by the provider's own timeout",
          reach.get().name(),
          e.getMessage());
      return;
    }
    JsonNode list = listed.path("activeActivations");
    if (!list.isArray()) {
      return;
    }
    Set<String> known =
        new HashSet<>(
            db.read(
                h ->
                    h.createQuery(
                            """
                            SELECT activation FROM upstream_rentals WHERE provider_id = :p
                            UNION SELECT activation FROM provider_outbox WHERE provider_id = :p
                            UNION SELECT activation FROM provider_purchases
                              WHERE provider_id = :p AND activation IS NOT NULL
                            """)
                        .bind("p", providerId)
                        .mapTo(String.class)
                        .list()));
    for (JsonNode a : list) {
      String activation = a.path("activationId").asText("");
      if (activation.isEmpty() || known.contains(activation)) {
        continue;
      }
      String key = providerId + ":" + activation;
      long since = unknownSince.computeIfAbsent(key, k -> now);
      if (since <= now - afterSeconds) {
        outbox.add(providerId, activation, ProviderOutbox.CANCEL, "orphan");
        unknownSince.remove(key);
        log.warn(
            "activation {} of provider {} is no rental's: cancelling it",
            activation,
            reach.get().name());
      }
    }
  }

  private long now() {
    return clock.instant().getEpochSecond();
  }
}
