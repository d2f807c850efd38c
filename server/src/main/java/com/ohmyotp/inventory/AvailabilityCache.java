package com.ohmyotp.inventory;

import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.ohmyotp.catalog.Service;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The {@code available} counts of the catalog, recounted in the background every {@link
 * #REFRESH} while they are read and served from memory in between, so that a burst of catalog
 * reads costs the database one count per period and no reader waits for one. A count reads the
 * inventory counts and the busy numbers ({@link Inventory#availability}): its cost grows with the
 * rentals holding numbers now, never with past rentals. Renting itself never relies on it:
 * allocation is exact.
 */
public final class AvailabilityCache {

  /** How often a count that is being read is made again. */
  public static final Duration REFRESH = Duration.ofSeconds(2);

  /** The oldest count served: after a pause in reading, the next reader waits for a new one. */
  public static final Duration MAX_AGE = Duration.ofSeconds(10);

  private final Inventory inventory;
  private final AsyncLoadingCache<Boolean, Map<Integer, Long>> counts;

  public AvailabilityCache(Inventory inventory, Supplier<List<Service>> enabledServices) {
    this.inventory = inventory;
    this.counts = Caffeine.newBuilder()
        .refreshAfterWrite(REFRESH)
        .expireAfterWrite(MAX_AGE)
        .buildAsync(all -> Map.copyOf(inventory.availableCounts(enabledServices.get())));
  }

  /**
   * Fresh numbers per service, by service id, for {@code services} and possibly others. While
   * every one of them was in the last count, that count itself is the answer: the same map until
   * the next count, so that a caller can tell by identity that nothing changed.
   */
  public Map<Integer, Long> counts(List<Service> services) {
    Map<Integer, Long> all = counts.get(Boolean.TRUE).join();
    List<Service> unknown = services.stream().filter(s -> !all.containsKey(s.id())).toList();
    if (unknown.isEmpty()) {
      return all;
    }
    // A service created since the last count: count it now, exactly.
    Map<Integer, Long> wanted = new HashMap<>(all);
    wanted.putAll(inventory.availableCounts(unknown));
    return wanted;
  }
}
