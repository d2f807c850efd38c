package com.ohmyotp.accounts;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * Slows password guessing on the website: each email gets five attempts, then one more a minute;
 * each client address twenty, then one more every fifteen seconds. Local to this node, like the
 * API's rate limits.
 */
public final class SignInThrottle {

  private final Cache<String, Bucket> byEmail =
      Caffeine.newBuilder().expireAfterAccess(Duration.ofMinutes(30)).maximumSize(100_000).build();
  private final Cache<String, Bucket> byAddress =
      Caffeine.newBuilder().expireAfterAccess(Duration.ofMinutes(30)).maximumSize(100_000).build();

  /** Takes one attempt; when none is left, how long until the next one is allowed. */
  public Optional<Duration> attempt(String email, String address) {
    String key = email == null ? "" : email.trim().toLowerCase(Locale.ROOT);
    Optional<Duration> wait = take(byEmail.get(key, k -> bucket(5, Duration.ofMinutes(1))));
    return wait.isPresent() ? wait : attemptFromAddress(address);
  }

  /**
   * Takes one attempt from the client address's budget only (sign-ups, which name no account yet).
   */
  public Optional<Duration> attemptFromAddress(String address) {
    return take(byAddress.get(address, k -> bucket(20, Duration.ofSeconds(15))));
  }

  private static Optional<Duration> take(Bucket bucket) {
    ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
    return probe.isConsumed()
        ? Optional.empty()
        : Optional.of(Duration.ofNanos(probe.getNanosToWaitForRefill()));
  }

  private static Bucket bucket(int attempts, Duration refillOne) {
    return Bucket.builder()
        .addLimit(Bandwidth.builder().capacity(attempts).refillGreedy(1, refillOne).build())
        .build();
  }
}
