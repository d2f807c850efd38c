package com.ohmyotp.rentals;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.ohmyotp.catalog.Service;
import com.ohmyotp.ledger.Money;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * When a reader of the {@code available} counts gets the last count and when it waits for a new
 * one: counts that take as long as the test says, on a clock the test moves.
 */
class AvailabilityCacheTest {

  private static final Service UBER =
      new Service(1, "Uber", "Rides", Money.of("0.50"), 600, "simulator", true, "ub");

  private final AtomicLong nanos = new AtomicLong();
  private final AtomicInteger counted = new AtomicInteger();
  private final ExecutorService counters = Executors.newVirtualThreadPerTaskExecutor();
  private final AtomicInteger countsRunning = new AtomicInteger();
  private final ExecutorService readers = Executors.newVirtualThreadPerTaskExecutor();
  private final AtomicReference<CountDownLatch> gate = new AtomicReference<>(new CountDownLatch(0));
  private AvailabilityCache cache = cacheWaiting(AvailabilityCache.MAX_WAIT);

  private AvailabilityCache cacheWaiting(Duration maxWait) {
    return new AvailabilityCache(
        this::count, () -> List.of(UBER), nanos::get, this::runCount, maxWait);
  }

  /**
   * Runs a count and what the cache does when it completes: the cache stamps a count with the time
   * it finished, after its readers may already have been released.
   */
  private void runCount(Runnable count) {
    countsRunning.incrementAndGet();
    counters.execute(
        () -> {
          try {
            count.run();
          } finally {
            countsRunning.decrementAndGet();
          }
        });
  }

  /** A count that finishes when the gate opens and tells how many counts were made. */
  private Map<Integer, Long> count(List<Service> services) {
    try {
      if (!gate.get().await(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the test never let the count finish");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    return Map.of(UBER.id(), (long) counted.incrementAndGet());
  }

  @AfterEach
  void openGate() {
    gate.get().countDown();
    readers.close();
    counters.close();
  }

  private long available() {
    return cache.counts(List.of(UBER)).get(UBER.id());
  }

  /** Moves the clock once no count is being made or stamped, so that no count is stamped late. */
  private void advance(Duration d) {
    await().atMost(Duration.ofSeconds(10)).until(() -> countsRunning.get() == 0);
    nanos.addAndGet(d.toNanos());
  }

  @Test
  void aCountYoungerThanTheRefreshIsServedAsItIs() {
    assertThat(available()).isEqualTo(1);
    advance(AvailabilityCache.REFRESH.minusMillis(1));
    assertThat(available()).isEqualTo(1);
    assertThat(counted).hasValue(1);
  }

  @Test
  void aCountOlderThanTheRefreshIsServedWhileTheNextIsMade() {
    assertThat(available()).isEqualTo(1);
    gate.set(new CountDownLatch(1));
    advance(AvailabilityCache.REFRESH.plusMillis(1));
    assertThat(available()).isEqualTo(1);
    gate.get().countDown();
    await().atMost(Duration.ofSeconds(10)).until(this::available, n -> n == 2);
  }

  @Test
  void afterAPauseAQuickCountIsWaitedFor() {
    // "Quick" is relative to the wait: a loaded machine may take more than 50 ms to run any count.
    cache = cacheWaiting(Duration.ofSeconds(30));
    assertThat(available()).isEqualTo(1);
    advance(AvailabilityCache.MAX_AGE.plusSeconds(1));
    assertThat(available()).isEqualTo(2);
  }

  @Test
  void afterAPauseASlowCountServesTheLastOneMeanwhile() {
    assertThat(available()).isEqualTo(1);
    gate.set(new CountDownLatch(1));
    advance(AvailabilityCache.MAX_AGE.plusSeconds(1));
    // The count is held at the gate: a reader that waited for it would never return.
    CompletableFuture<Long> read = CompletableFuture.supplyAsync(this::available, readers);
    assertThat(read).succeedsWithin(Duration.ofSeconds(10)).isEqualTo(1L);
    gate.get().countDown();
    await().atMost(Duration.ofSeconds(10)).until(this::available, n -> n == 2);
  }

  @Test
  void theFirstCountIsAlwaysWaitedFor() throws Exception {
    gate.set(new CountDownLatch(1));
    CompletableFuture<Long> read = CompletableFuture.supplyAsync(this::available, readers);
    // With no earlier count there is nothing else to serve, however long the count takes.
    await()
        .during(AvailabilityCache.MAX_WAIT.multipliedBy(4))
        .atMost(Duration.ofSeconds(10))
        .until(() -> !read.isDone());
    gate.get().countDown();
    assertThat(read.get(10, TimeUnit.SECONDS)).isEqualTo(1L);
  }
}
