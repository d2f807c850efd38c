package com.ohmyotp.api;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Token buckets per API key, local to this node. The defaults (200 requests a second, bursts of
 * 400) let one key poll hundreds of rentals every five seconds, as the reference's scripts do.
 * Answers carry the IETF {@code RateLimit} and {@code RateLimit-Policy} headers.
 */
public final class RateLimiter {

  private final long perSecond;
  private final long burst;
  private final String policy;
  // Upkeep runs on the requests' own threads: handing it to the common pool woke a thread for
  // it every few requests, which cost more than the upkeep itself.
  private final Cache<Long, Bucket> buckets =
      Caffeine.newBuilder()
          .expireAfterAccess(Duration.ofMinutes(10))
          .maximumSize(1_000_000)
          .executor(Runnable::run)
          .build();

  public RateLimiter(long perSecond, long burst) {
    this.perSecond = perSecond;
    this.burst = Math.max(burst, 1);
    this.policy = "\"per-key\";q=" + perSecond + ";w=1";
  }

  /** What one request got: whether it may go on, and the headers to send either way. */
  public record Decision(boolean allowed, Map<String, String> headers) {}

  public Decision acquire(long key) {
    Bucket bucket =
        buckets.get(
            key,
            k ->
                Bucket.builder()
                    .addLimit(
                        Bandwidth.builder()
                            .capacity(burst)
                            .refillGreedy(perSecond, Duration.ofSeconds(1))
                            .build())
                    .build());
    ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
    if (probe.isConsumed()) {
      long reset = seconds(probe.getNanosToWaitForReset());
      return new Decision(
          true,
          Map.of(
              "RateLimit-Policy",
              policy,
              "RateLimit",
              "\"per-key\";r=" + probe.getRemainingTokens() + ";t=" + reset));
    }
    long retryAfter = Math.max(1, seconds(probe.getNanosToWaitForRefill()));
    return new Decision(
        false,
        Map.of(
            "RateLimit-Policy",
            policy,
            "RateLimit",
            "\"per-key\";r=0;t=" + retryAfter,
            "Retry-After",
            String.valueOf(retryAfter)));
  }

  private static long seconds(long nanos) {
    return (nanos + TimeUnit.SECONDS.toNanos(1) - 1) / TimeUnit.SECONDS.toNanos(1);
  }
}
