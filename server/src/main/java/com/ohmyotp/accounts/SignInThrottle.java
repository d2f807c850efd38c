package com.ohmyotp.accounts;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.EstimationProbe;
import java.time.Duration;
import java.util.Optional;

/**
 * Slows password guessing on the website: each email may fail five times, then once more a minute;
 * each client address twenty times, then once more every fifteen seconds. Only failures count, so
 * an owner who signs in often is never locked out. Local to this node, like the API's rate limits.
 */
public final class SignInThrottle {

  private final Cache<String, Bucket> byEmail =
      Caffeine.newBuilder().expireAfterAccess(Duration.ofMinutes(30)).maximumSize(100_000).build();
  private final Cache<String, Bucket> byAddress =
      Caffeine.newBuilder().expireAfterAccess(Duration.ofMinutes(30)).maximumSize(100_000).build();

  /**
   * Whether a sign-in may be tried now; when the email or the address has no failures left, how
   * long until it has one. Takes nothing: only {@link #failed} does.
   */
  public Optional<Duration> waitBeforeSignIn(String email, String address) {
    Optional<Duration> wait = waitFor(forEmail(email));
    return wait.isPresent() ? wait : waitFor(forAddress(address));
  }

  /** Counts a failed sign-in against the email and the address it came from. */
  public void failed(String email, String address) {
    forEmail(email).tryConsume(1);
    forAddress(address).tryConsume(1);
  }

  /**
   * Takes one attempt from the client address's budget (sign-ups, which name no account yet and
   * each of which tells whether an email is taken).
   */
  public Optional<Duration> attemptFromAddress(String address) {
    ConsumptionProbe probe = forAddress(address).tryConsumeAndReturnRemaining(1);
    return probe.isConsumed()
        ? Optional.empty()
        : Optional.of(Duration.ofNanos(probe.getNanosToWaitForRefill()));
  }

  private Bucket forEmail(String email) {
    String key = email == null ? "" : EmailAddress.key(email);
    return byEmail.get(key, k -> bucket(5, Duration.ofMinutes(1)));
  }

  private Bucket forAddress(String address) {
    return byAddress.get(address, k -> bucket(20, Duration.ofSeconds(15)));
  }

  private static Optional<Duration> waitFor(Bucket bucket) {
    EstimationProbe probe = bucket.estimateAbilityToConsume(1);
    return probe.canBeConsumed()
        ? Optional.empty()
        : Optional.of(Duration.ofNanos(probe.getNanosToWaitForRefill()));
  }

  private static Bucket bucket(int attempts, Duration refillOne) {
    return Bucket.builder()
        .addLimit(Bandwidth.builder().capacity(attempts).refillGreedy(1, refillOne).build())
        .build();
  }
}
