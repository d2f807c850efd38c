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
 * The {@code available} counts of the catalog, recomputed at most every second and served from
 * memory in between, so that a burst of catalog reads costs the database one count a second. A count reads the inventory counts and the few busy numbers ({@link
 * Inventory#availability}), whatever the number of past rentals. Renting itself never relies on
 * it: allocation is exact.
 */
public final class AvailabilityCache {

  /** How old a served count may be, plus the time one count takes (milliseconds). */
  public static final Duration MAX_AGE = Duration.ofSeconds(1);

  private final Inventory inventory;
  private final AsyncLoadingCache<Boolean, Map<Integer, Long>> counts;

  public AvailabilityCache(Inventory inventory, Supplier<List<Service>> enabledServices) {
    this.inventory = inventory;
    // Readers that find the count expired wait for the same new count.
    this.counts = Caffeine.newBuilder()
        .expireAfterWrite(MAX_AGE)
        .buildAsync(all -> inventory.availableCounts(enabledServices.get()));
  }

  /** Fresh numbers per service, by service id, for {@code services}. */
  public Map<Integer, Long> counts(List<Service> services) {
    Map<Integer, Long> all = counts.get(Boolean.TRUE).join();
    Map<Integer, Long> wanted = new HashMap<>();
    List<Service> unknown = services.stream().filter(s -> !all.containsKey(s.id())).toList();
    if (!unknown.isEmpty()) {
      // A service created since the last count: count it now, exactly.
      wanted.putAll(inventory.availableCounts(unknown));
    }
    services.stream().filter(s -> all.containsKey(s.id())).forEach(s -> wanted.put(s.id(), all.get(s.id())));
    return wanted;
  }
}
