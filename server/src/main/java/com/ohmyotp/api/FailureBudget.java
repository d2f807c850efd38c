package com.ohmyotp.api;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.EstimationProbe;
import java.time.Duration;
import java.util.Optional;

/**
 * How many failures (a wrong password, a voucher code never issued) each key — an account, an
 * email, a client address — may have: {@code failures} at once, then one more every {@code refill}.
 * Only failures count, so an owner who succeeds often is never held back. Local to this node, like
 * the API's rate limits.
 */
public final class FailureBudget {

  private final int failures;
  private final Duration refill;
  private final Cache<String, Bucket> buckets =
      Caffeine.newBuilder().expireAfterAccess(Duration.ofMinutes(30)).maximumSize(100_000).build();

  public FailureBudget(int failures, Duration refill) {
    this.failures = failures;
    this.refill = refill;
  }

  /** Empty when the key may try now; else how long until it may. Takes nothing. */
  public Optional<Duration> waitFor(String key) {
    EstimationProbe probe = bucket(key).estimateAbilityToConsume(1);
    return probe.canBeConsumed()
        ? Optional.empty()
        : Optional.of(Duration.ofNanos(probe.getNanosToWaitForRefill()));
  }

  /** Counts one failure against the key. */
  public void failed(String key) {
    bucket(key).tryConsume(1);
  }

  /** Takes one attempt, failed or not; empty when it was allowed, else how long to wait. */
  public Optional<Duration> attempt(String key) {
    ConsumptionProbe probe = bucket(key).tryConsumeAndReturnRemaining(1);
    return probe.isConsumed()
        ? Optional.empty()
        : Optional.of(Duration.ofNanos(probe.getNanosToWaitForRefill()));
  }

  private Bucket bucket(String key) {
    return buckets.get(
        key,
        k ->
            Bucket.builder()
                .addLimit(Bandwidth.builder().capacity(failures).refillGreedy(1, refill).build())
                .build());
  }
}
