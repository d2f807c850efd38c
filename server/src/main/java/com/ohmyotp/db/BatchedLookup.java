package com.ohmyotp.db;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.function.Function;

/**
 * Lookups by key that arrive while others are being answered go to the database together, in one
 * query. Nothing waits for a timer: when no query is running, a lookup runs at once on its own;
 * under load, the lookups that queue up while the running queries finish share the next one.
 *
 * <p>Every answer comes from a query that started after its lookup was asked, so it is exactly as
 * fresh as a query of its own: anything committed before the lookup, on any node, is in it. The
 * thread that finds the queue waiting runs the query for everyone in the batch.
 *
 * @param <K> the key
 * @param <V> what the query finds for a key; a key it does not find has no answer
 */
public final class BatchedLookup<K, V> {

  private record Pending<K, V>(K key, CompletableFuture<V> answer) {}

  private final Function<List<K>, Map<K, V>> query;
  private final int maxBatch;
  private final Semaphore running;
  private final ConcurrentLinkedQueue<Pending<K, V>> queue = new ConcurrentLinkedQueue<>();

  /**
   * @param query finds the values of up to {@code maxBatch} distinct keys
   * @param maxBatch the most keys one query is given
   * @param maxRunning the most queries running at once
   */
  public BatchedLookup(Function<List<K>, Map<K, V>> query, int maxBatch, int maxRunning) {
    if (maxBatch < 1 || maxRunning < 1) {
      throw new IllegalArgumentException("maxBatch and maxRunning must be positive");
    }
    this.query = query;
    this.maxBatch = maxBatch;
    this.running = new Semaphore(maxRunning);
  }

  /** The value for {@code key}, read by a query that started after this call. */
  public Optional<V> get(K key) {
    Pending<K, V> pending = new Pending<>(key, new CompletableFuture<>());
    queue.add(pending);
    drain(pending);
    try {
      return Optional.ofNullable(pending.answer().join());
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      if (e.getCause() instanceof Error error) {
        throw error;
      }
      throw e;
    }
  }

  /**
   * Runs queries while lookups are queued and a query may start. Whoever holds a permit looks at
   * the queue again after giving it back, so a lookup queued while every permit was held is always
   * picked up. A caller stops once its own lookup is answered and leaves the rest of the queue to a
   * thread of its own, so that no request keeps answering others under steady load.
   */
  private void drain(Pending<K, V> own) {
    while (!queue.isEmpty() && running.tryAcquire()) {
      try {
        List<Pending<K, V>> batch = new ArrayList<>();
        for (Pending<K, V> p; batch.size() < maxBatch && (p = queue.poll()) != null; ) {
          batch.add(p);
        }
        if (!batch.isEmpty()) {
          answer(batch);
        }
      } finally {
        running.release();
      }
      if (own != null && own.answer().isDone()) {
        if (!queue.isEmpty()) {
          Thread.startVirtualThread(() -> drain(null));
        }
        return;
      }
    }
  }

  /** How many lookups wait for a query now. */
  int queued() {
    return queue.size();
  }

  private void answer(List<Pending<K, V>> batch) {
    LinkedHashSet<K> keys = new LinkedHashSet<>();
    batch.forEach(p -> keys.add(p.key()));
    Map<K, V> found;
    try {
      found = query.apply(List.copyOf(keys));
    } catch (RuntimeException | Error e) {
      batch.forEach(p -> p.answer().completeExceptionally(e));
      return;
    }
    batch.forEach(p -> p.answer().complete(found.get(p.key())));
  }
}
