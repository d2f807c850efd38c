package com.ohmyotp.upstream;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How each provider has answered this node: every call's time and outcome, when one last succeeded,
 * and the balance we hold there. The same figures go to {@code /metrics} (tagged by provider) and
 * to {@code /api/admin/sources}; a balance below the threshold is logged as a warning each time it
 * is read.
 */
public final class ProviderHealth {

  private static final Logger log = LoggerFactory.getLogger(ProviderHealth.class);

  /** One provider's figures on this node. */
  private static final class Figures {
    final Timer latency;
    final Counter ok;
    final Counter failed;
    final AtomicLong lastSuccessAt = new AtomicLong(-1);
    final AtomicReference<BigDecimal> balance = new AtomicReference<>();

    Figures(MeterRegistry registry, String provider) {
      this.latency =
          Timer.builder("ohmyotp.provider.calls")
              .description("Calls to an upstream provider, by provider")
              .tag("provider", provider)
              .publishPercentiles(0.5, 0.99)
              .distributionStatisticExpiry(Duration.ofMinutes(5))
              .register(registry);
      this.ok =
          Counter.builder("ohmyotp.provider.answers")
              .tag("provider", provider)
              .tag("outcome", "ok")
              .register(registry);
      this.failed =
          Counter.builder("ohmyotp.provider.answers")
              .tag("provider", provider)
              .tag("outcome", "failed")
              .register(registry);
      Gauge.builder(
              "ohmyotp.provider.balance",
              balance,
              b -> b.get() == null ? Double.NaN : b.get().doubleValue())
          .description("Our balance at an upstream provider, as last read")
          .tag("provider", provider)
          .register(registry);
    }
  }

  /** What {@code /api/admin/sources} shows of one provider. */
  public record Snapshot(
      long calls,
      long failures,
      double errorRate,
      Double latencyP50Ms,
      Double latencyP99Ms,
      Long lastSuccessAt,
      BigDecimal balance) {}

  private final MeterRegistry registry;
  private final BigDecimal lowBalance;
  private final Clock clock;
  private final Map<String, Figures> byProvider = new ConcurrentHashMap<>();

  /**
   * @param lowBalance a balance at a provider below this is logged as a warning
   */
  public ProviderHealth(MeterRegistry registry, BigDecimal lowBalance, Clock clock) {
    this.registry = registry;
    this.lowBalance = lowBalance;
    this.clock = clock;
  }

  private Figures of(String provider) {
    return byProvider.computeIfAbsent(provider, p -> new Figures(registry, p));
  }

  /** One call to a provider: how long it took and whether it got one of the protocol's answers. */
  void call(String provider, long nanos, boolean answered) {
    Figures f = of(provider);
    f.latency.record(nanos, TimeUnit.NANOSECONDS);
    if (answered) {
      f.ok.increment();
      f.lastSuccessAt.set(clock.instant().getEpochSecond());
    } else {
      f.failed.increment();
    }
  }

  /** Our balance at the provider, as just read. */
  void balance(String provider, BigDecimal balance) {
    of(provider).balance.set(balance);
    if (balance.compareTo(lowBalance) < 0) {
      log.warn(
          "balance at provider {} is {}, below {}: top it up before its numbers run out",
          provider,
          balance.toPlainString(),
          lowBalance.toPlainString());
    }
  }

  /** The provider's figures on this node. */
  public Snapshot snapshot(String provider) {
    Figures f = of(provider);
    long ok = (long) f.ok.count();
    long failed = (long) f.failed.count();
    Double p50 = null;
    Double p99 = null;
    for (ValueAtPercentile v : f.latency.takeSnapshot().percentileValues()) {
      if (v.percentile() == 0.5) {
        p50 = v.value(TimeUnit.MILLISECONDS);
      } else if (v.percentile() == 0.99) {
        p99 = v.value(TimeUnit.MILLISECONDS);
      }
    }
    long last = f.lastSuccessAt.get();
    return new Snapshot(
        ok + failed,
        failed,
        ok + failed == 0 ? 0 : (double) failed / (ok + failed),
        p50,
        p99,
        last < 0 ? null : last,
        f.balance.get());
  }

  /** For tests: the balance as last read. */
  Optional<BigDecimal> balance(String provider) {
    return Optional.ofNullable(of(provider).balance.get());
  }
}
