package com.ohmyotp.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.ohmyotp.db.Database;
import com.ohmyotp.smsactivate.HandlerApiClient;
import com.ohmyotp.smsactivate.HandlerApiClient.UpstreamException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds numbers bought from a provider and never recorded — the process died, or the provider's
 * answer was lost, between the sale and our commit — and cancels them at the provider. Every {@code
 * after}, each provider's open activations ({@code getActiveActivations}) are compared with those
 * our rentals and queued calls know; one still unknown {@code after} it was first seen (far longer
 * than any purchase takes from the provider's answer to our commit) is cancelled. The provider's
 * API key must therefore be ohmyotp's alone. A provider without that action cannot be compared: its
 * own timeout ends such an activation.
 */
public final class Reconciler {

  private static final Logger log = LoggerFactory.getLogger(Reconciler.class);

  /** The default of {@code after}: well past any purchase's read timeout and commit. */
  public static final Duration AFTER = Duration.ofSeconds(30);

  private final Database db;
  private final Providers providers;
  private final HandlerApiClient client;
  private final ProviderOutbox outbox;
  private final long afterSeconds;
  private final Clock clock;
  private volatile long lastRun = Long.MIN_VALUE;
  // Activations a provider listed that nothing here knew, and when each was first seen.
  private final Map<String, Long> unknownSince = new ConcurrentHashMap<>();

  public Reconciler(
      Database db,
      Providers providers,
      HandlerApiClient client,
      ProviderOutbox outbox,
      Duration after,
      Clock clock) {
    this.db = db;
    this.providers = providers;
    this.client = client;
    this.outbox = outbox;
    this.afterSeconds = Math.max(1, after.toSeconds());
    this.clock = clock;
  }

  /** One comparison of every provider, when the last was at least half of {@code after} ago. */
  public void runOnce() {
    long now = now();
    if (now < lastRun + Math.max(1, afterSeconds / 2)) {
      return;
    }
    lastRun = now;
    for (Provider p : providers.list()) {
      providers.reach(p.id()).ifPresent(reach -> compare(p.id(), reach, now));
    }
  }

  private void compare(int providerId, Providers.Reach reach, long now) {
    JsonNode listed;
    try {
      listed = client.getActiveActivations(reach.peer());
    } catch (UpstreamException e) {
      // Not every provider offers the list; one that fails now is compared on a later pass.
      log.debug("provider {} did not list its activations: {}", reach.name(), e.getMessage());
      return;
    }
    JsonNode list = listed.path("activeActivations");
    if (!list.isArray()) {
      return;
    }
    List<String> ids = new ArrayList<>();
    for (JsonNode a : list) {
      String activation = a.path("activationId").asText("");
      if (!activation.isEmpty() && activation.length() <= 40) {
        ids.add(activation);
      }
    }
    Set<String> known = new HashSet<>();
    for (int from = 0; from < ids.size(); from += 1000) {
      List<String> chunk = ids.subList(from, Math.min(ids.size(), from + 1000));
      known.addAll(
          db.read(
              h ->
                  h.createQuery(
                          """
                          SELECT activation FROM upstream_rentals
                          WHERE provider_id = :p AND activation IN (<ids>)
                          UNION SELECT activation FROM provider_outbox
                          WHERE provider_id = :p AND activation IN (<ids>)
                          """)
                      .bind("p", providerId)
                      .bindList("ids", chunk)
                      .mapTo(String.class)
                      .list()));
    }
    Set<String> stillUnknown = new HashSet<>();
    for (String activation : ids) {
      if (known.contains(activation)) {
        continue;
      }
      String key = providerId + ":" + activation;
      stillUnknown.add(key);
      long since = unknownSince.computeIfAbsent(key, k -> now);
      if (since <= now - afterSeconds) {
        outbox.add(providerId, activation, ProviderOutbox.CANCEL, "orphan");
        unknownSince.remove(key);
        log.warn(
            "activation {} of provider {} is no rental's: cancelling it", activation, reach.name());
      }
    }
    // Forget what was unknown and is gone, or known by now.
    String prefix = providerId + ":";
    unknownSince.keySet().removeIf(k -> k.startsWith(prefix) && !stillUnknown.contains(k));
  }

  private long now() {
    return clock.instant().getEpochSecond();
  }
}
