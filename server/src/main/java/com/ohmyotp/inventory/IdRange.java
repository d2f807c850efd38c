package com.ohmyotp.inventory;

import java.time.Clock;
import java.util.concurrent.ThreadLocalRandom;
import org.jdbi.v3.core.Handle;

/**
 * The span of number ids, remembered for a few seconds, from which a fresh-number search picks its
 * random starting point. A stale span only skews where searches start: the search wraps around past
 * the end, so numbers imported since (on this node or another) are still found.
 */
final class IdRange {

  private static final long REFRESH_MILLIS = 5_000;

  private record Span(long min, long max, long readAtMillis) {}

  private final Clock clock;
  private volatile Span span;

  IdRange(Clock clock) {
    this.clock = clock;
  }

  /** A random id between the smallest and the largest number id, both included. */
  long randomId(Handle h) {
    Span current = span;
    long nowMillis = clock.millis();
    if (current == null
        || nowMillis - current.readAtMillis() >= REFRESH_MILLIS
        || nowMillis < current.readAtMillis()) {
      current =
          h.createQuery("SELECT MIN(id), MAX(id) FROM phone_numbers")
              .map((rs, ctx) -> new Span(rs.getLong(1), rs.getLong(2), nowMillis))
              .one();
      span = current;
    }
    return current.max() <= current.min()
        ? current.min()
        : ThreadLocalRandom.current().nextLong(current.min(), current.max() + 1);
  }
}
