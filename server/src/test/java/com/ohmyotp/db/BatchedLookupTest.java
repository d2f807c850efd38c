package com.ohmyotp.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class BatchedLookupTest {

  private static final Function<List<Integer>, Map<Integer, String>> SQUARES =
      keys -> {
        Map<Integer, String> found = new HashMap<>();
        keys.stream().filter(k -> k >= 0).forEach(k -> found.put(k, String.valueOf(k * k)));
        return found;
      };

  @Test
  void aLoneLookupRunsAtOnceOnItsOwn() {
    List<List<Integer>> queries = new ArrayList<>();
    BatchedLookup<Integer, String> lookup =
        new BatchedLookup<>(
            keys -> {
              queries.add(keys);
              return SQUARES.apply(keys);
            },
            64,
            1);

    assertThat(lookup.get(7)).contains("49");
    assertThat(lookup.get(-1)).isEmpty();
    assertThat(queries).containsExactly(List.of(7), List.of(-1));
  }

  @Test
  void lookupsQueuedWhileAQueryRunsShareTheNextOne() throws Exception {
    CountDownLatch firstQueryStarted = new CountDownLatch(1);
    CountDownLatch releaseFirstQuery = new CountDownLatch(1);
    List<List<Integer>> queries = java.util.Collections.synchronizedList(new ArrayList<>());
    BatchedLookup<Integer, String> lookup =
        new BatchedLookup<>(
            keys -> {
              queries.add(keys);
              if (queries.size() == 1) {
                firstQueryStarted.countDown();
                await(releaseFirstQuery);
              }
              return SQUARES.apply(keys);
            },
            64,
            1);

    Map<Integer, Optional<String>> answers = new java.util.concurrent.ConcurrentHashMap<>();
    Thread first = Thread.ofVirtual().start(() -> answers.put(1, lookup.get(1)));
    assertThat(firstQueryStarted.await(10, TimeUnit.SECONDS)).isTrue();
    List<Thread> queued = new ArrayList<>();
    for (int k = 2; k <= 6; k++) {
      int key = k;
      queued.add(Thread.ofVirtual().start(() -> answers.put(key, lookup.get(key))));
    }
    // Every queued lookup is waiting before the first query may finish.
    awaitQueued(lookup, queued);
    releaseFirstQuery.countDown();
    first.join();
    for (Thread t : queued) {
      t.join();
    }

    assertThat(queries).hasSize(2);
    assertThat(queries.get(0)).containsExactly(1);
    assertThat(queries.get(1)).containsExactlyInAnyOrder(2, 3, 4, 5, 6);
    for (int k = 1; k <= 6; k++) {
      assertThat(answers.get(k)).contains(String.valueOf(k * k));
    }
  }

  @Test
  void aBatchHoldsAtMostMaxBatchDistinctKeys() throws Exception {
    List<List<Integer>> queries = java.util.Collections.synchronizedList(new ArrayList<>());
    BatchedLookup<Integer, String> lookup =
        new BatchedLookup<>(
            keys -> {
              queries.add(keys);
              return SQUARES.apply(keys);
            },
            3,
            2);
    int threads = 40;
    CyclicBarrier start = new CyclicBarrier(threads);
    AtomicInteger wrong = new AtomicInteger();
    List<Thread> all = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      int key = i % 10;
      all.add(
          Thread.ofVirtual()
              .start(
                  () -> {
                    await(start);
                    for (int round = 0; round < 50; round++) {
                      if (!lookup.get(key).equals(Optional.of(String.valueOf(key * key)))) {
                        wrong.incrementAndGet();
                      }
                    }
                  }));
    }
    for (Thread t : all) {
      t.join(TimeUnit.SECONDS.toMillis(30));
      assertThat(t.isAlive()).as("a lookup was never answered").isFalse();
    }

    assertThat(wrong).hasValue(0);
    assertThat(queries)
        .allSatisfy(
            keys -> {
              assertThat(keys.size()).isBetween(1, 3);
              assertThat(keys).doesNotHaveDuplicates();
            });
  }

  @Test
  void aFailedQueryFailsEveryLookupInItsBatchWithTheSameException() {
    IllegalStateException down = new IllegalStateException("database down");
    BatchedLookup<Integer, String> lookup =
        new BatchedLookup<>(
            keys -> {
              throw down;
            },
            64,
            1);

    assertThatThrownBy(() -> lookup.get(1)).isSameAs(down);
    AtomicReference<Throwable> second = new AtomicReference<>();
    try {
      lookup.get(2);
    } catch (RuntimeException e) {
      second.set(e);
    }
    assertThat(second.get()).isSameAs(down);
  }

  private static void awaitQueued(BatchedLookup<Integer, String> lookup, List<Thread> threads) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (lookup.queued() < threads.size()) {
      assertThat(System.nanoTime()).as("lookups queued in time").isLessThan(deadline);
      Thread.yield();
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void await(CyclicBarrier barrier) {
    try {
      barrier.await();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
