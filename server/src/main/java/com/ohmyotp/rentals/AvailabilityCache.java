package com.ohmyotp.rentals;

import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import com.ohmyotp.catalog.Service;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The {@code available} counts of the catalog, recounted in the background every {@link #REFRESH}
 * while they are read and served from memory in between, so that a burst of catalog reads costs the
 * database one count per period and no reader waits for one. A count reads the inventory counts and
 * the busy numbers ({@link Availability#counts}): its cost grows with the rentals holding numbers
 * now, never with past rentals. Renting itself never relies on it: allocation is exact.
 */
public final class AvailabilityCache {

  /** How often a count that is being read is made again. */
  public static final Duration REFRESH = Duration.ofSeconds(2);

  /**
   * The age at which a count is made again before it is served: after a pause in reading, the next
   * reader waits for a new one, up to {@link #MAX_WAIT}.
   */
  public static final Duration MAX_AGE = Duration.ofSeconds(10);

  /**
   * The longest a reader waits for a count made after a pause; then it gets the last count while
   * the new one finishes. With a million rentals and fifteen thousand numbers held, a count takes a
   * few hundred milliseconds of the database, and every reader arriving meanwhile would wait.
   */
  public static final Duration MAX_WAIT = Duration.ofMillis(50);

  private final Function<List<Service>, Map<Integer, Long>> count;
  private final Duration maxWait;
  private final AsyncLoadingCache<Boolean, Map<Integer, Long>> counts;
  private volatile Map<Integer, Long> last;

  public AvailabilityCache(Availability availability, Supplier<List<Service>> enabledServices) {
    this(
        availability::counts,
        enabledServices,
        Ticker.systemTicker(),
        ForkJoinPool.commonPool(),
        MAX_WAIT);
  }

  /**
   * @param count counts the fresh numbers of the given services, exactly
   * @param enabledServices the services a count is made for
   * @param ticker the time that ages counts
   * @param executor where counts are made
   * @param maxWait the longest a reader waits for a count made after a pause
   */
  AvailabilityCache(
      Function<List<Service>, Map<Integer, Long>> count,
      Supplier<List<Service>> enabledServices,
      Ticker ticker,
      Executor executor,
      Duration maxWait) {
    this.count = count;
    this.maxWait = maxWait;
    this.counts =
        Caffeine.newBuilder()
            .refreshAfterWrite(REFRESH)
            .expireAfterWrite(MAX_AGE)
            .ticker(ticker)
            .executor(executor)
            .buildAsync(
                all -> {
                  Map<Integer, Long> counted = Map.copyOf(count.apply(enabledServices.get()));
                  last = counted;
                  return counted;
                });
  }

  /**
   * Fresh numbers per service, by service id, for {@code services} and possibly others. While every
   * one of them was in the last count, that count itself is the answer: the same map until the next
   * count, so that a caller can tell by identity that nothing changed.
   */
  public Map<Integer, Long> counts(List<Service> services) {
    Map<Integer, Long> all = current();
    List<Service> unknown = services.stream().filter(s -> !all.containsKey(s.id())).toList();
    if (unknown.isEmpty()) {
      return all;
    }
    // A service created since the last count: count it now, exactly.
    Map<Integer, Long> wanted = new HashMap<>(all);
    wanted.putAll(count.apply(unknown));
    return wanted;
  }

  private Map<Integer, Long> current() {
    CompletableFuture<Map<Integer, Long>> counting = counts.get(Boolean.TRUE);
    Map<Integer, Long> previous = last;
    if (counting.isDone() || previous == null) {
      return counting.join();
    }
    try {
      return counting.get(maxWait.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      return previous;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return previous;
    } catch (ExecutionException e) {
      // The count failed (the database, say): the same failure as join() would give.
      return counting.join();
    }
  }
}
