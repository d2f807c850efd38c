package com.ohmyotp.rentals;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Requests waiting for rentals to change (long-polls of {@code /code}), woken when this node
 * commits a change to one and when another node tells of one ({@link PollCache} hears both). A
 * wake-up only says "look again": the waiter reads the rental and decides, so a wake-up that finds
 * nothing new, or two for one change, costs a read and nothing else.
 */
public final class RentalWaiters {

  private final ConcurrentMap<String, Set<Runnable>> byRental = new ConcurrentHashMap<>();
  private final AtomicInteger waiting = new AtomicInteger();

  /** Something to stop waiting with; stopping twice is stopping once. */
  public interface Registration extends AutoCloseable {
    @Override
    void close();
  }

  /**
   * Runs {@code lookAgain} on a virtual thread each time the rental may have changed, until the
   * registration is closed.
   */
  public Registration await(String rentalId, Runnable lookAgain) {
    Runnable waiter = () -> Thread.startVirtualThread(lookAgain);
    byRental.computeIfAbsent(rentalId, id -> ConcurrentHashMap.newKeySet()).add(waiter);
    waiting.incrementAndGet();
    return new Registration() {
      private boolean closed;

      @Override
      public synchronized void close() {
        if (closed) {
          return;
        }
        closed = true;
        waiting.decrementAndGet();
        byRental.computeIfPresent(
            rentalId,
            (id, waiters) -> {
              waiters.remove(waiter);
              return waiters.isEmpty() ? null : waiters;
            });
      }
    };
  }

  /** The rental may have changed: its waiters look again. */
  void changed(String rentalId) {
    Set<Runnable> waiters = byRental.get(rentalId);
    if (waiters != null) {
      waiters.forEach(Runnable::run);
    }
  }

  /** Any rental may have changed (the feed from the other nodes was down): every waiter looks. */
  void changedAll() {
    byRental.values().forEach(waiters -> waiters.forEach(Runnable::run));
  }

  /** How many requests are waiting now. */
  public int waiting() {
    return waiting.get();
  }
}
