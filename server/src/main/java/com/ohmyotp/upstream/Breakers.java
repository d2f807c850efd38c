package com.ohmyotp.upstream;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import java.time.Duration;

/**
 * One circuit breaker per provider, on this node: after {@link #FAILURES_IN_A_ROW} failed calls in
 * a row a provider is skipped for {@link #OPEN_FOR}, then one probe call decides whether it is used
 * again. A provider that says it has no numbers has not failed.
 */
final class Breakers {

  static final int FAILURES_IN_A_ROW = 5;
  static final Duration OPEN_FOR = Duration.ofSeconds(30);

  private final CircuitBreakerRegistry registry;

  Breakers(int failuresInARow, Duration openFor) {
    this.registry =
        CircuitBreakerRegistry.of(
            CircuitBreakerConfig.custom()
                // Counted over the last N calls, every one of which must fail to open it: "N in a
                // row".
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(failuresInARow)
                .minimumNumberOfCalls(failuresInARow)
                .failureRateThreshold(100)
                .waitDurationInOpenState(openFor)
                .permittedNumberOfCallsInHalfOpenState(1)
                .automaticTransitionFromOpenToHalfOpenEnabled(false)
                .build());
  }

  /** The breaker of the provider with this id. */
  CircuitBreaker of(int providerId) {
    return registry.circuitBreaker("provider-" + providerId);
  }
}
