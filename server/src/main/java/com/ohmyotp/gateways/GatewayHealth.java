package com.ohmyotp.gateways;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What each gateway and device has posted to this node: its last SMS, its SMS in the last hour and
 * its posts refused for their signature, for the operator API and {@code /metrics}. Kept in memory
 * per node: each node counts what reached it. Whether a gateway is down is the database's ({@link
 * Gateways#markSilentDown}), the same on every node.
 */
public final class GatewayHealth {

  /** What the operator sees of one device (the empty name: posts that named none). */
  public record DeviceView(
      String device, Long lastSmsAt, long smsLastHour, long signatureFailures) {}

  private final MeterRegistry metrics;
  private final Clock clock;
  private final Map<String, Map<String, Device>> gateways = new ConcurrentHashMap<>();
  private final Map<String, Counter> smsCounters = new ConcurrentHashMap<>();
  private final Map<String, Counter> failureCounters = new ConcurrentHashMap<>();
  private final Map<String, java.util.concurrent.atomic.AtomicLong> down =
      new ConcurrentHashMap<>();

  public GatewayHealth(MeterRegistry metrics, Clock clock) {
    this.metrics = metrics;
    this.clock = clock;
  }

  /** An SMS accepted from the gateway's device. */
  public void sms(String gateway, String device) {
    device(gateway, device).sms(clock.instant().getEpochSecond());
    smsCounters
        .computeIfAbsent(
            gateway,
            g ->
                Counter.builder("ohmyotp.gateway.sms")
                    .description("SMS accepted from a gateway by this node")
                    .tag("gateway", g)
                    .register(metrics))
        .increment();
  }

  /** A post refused for its signature. */
  public void signatureFailure(String gateway, String device) {
    device(gateway, device).signatureFailure();
    failureCounters
        .computeIfAbsent(
            gateway,
            g ->
                Counter.builder("ohmyotp.gateway.signature.failures")
                    .description(
                        "Posts to a gateway's URL refused for their signature by this node")
                    .tag("gateway", g)
                    .register(metrics))
        .increment();
  }

  /** Whether the gateway is down now, for {@code /metrics}: 1 down, 0 up. */
  public void down(String gateway, boolean isDown) {
    down.computeIfAbsent(
            gateway,
            g -> {
              java.util.concurrent.atomic.AtomicLong value =
                  new java.util.concurrent.atomic.AtomicLong();
              io.micrometer.core.instrument.Gauge.builder(
                      "ohmyotp.gateway.down", value, java.util.concurrent.atomic.AtomicLong::get)
                  .description(
                      "1 while a gateway is silent past its threshold, its numbers not offered")
                  .tag("gateway", g)
                  .register(metrics);
              return value;
            })
        .set(isDown ? 1 : 0);
  }

  /** The gateway's devices as this node saw them, by device name. */
  public List<DeviceView> devices(String gateway) {
    long now = clock.instant().getEpochSecond();
    return gateways.getOrDefault(gateway, Map.of()).entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .map(e -> e.getValue().view(e.getKey(), now))
        .toList();
  }

  /** Forgets a gateway that was removed. */
  public void forget(String gateway) {
    gateways.remove(gateway);
    java.util.concurrent.atomic.AtomicLong gauge = down.get(gateway);
    if (gauge != null) {
      gauge.set(0);
    }
  }

  private Device device(String gateway, String device) {
    return gateways
        .computeIfAbsent(gateway, g -> new ConcurrentHashMap<>())
        .computeIfAbsent(device == null ? "" : device, d -> new Device());
  }

  /** One device's figures: SMS per minute over the last hour, in a ring. */
  private static final class Device {
    private final long[] perMinute = new long[60];
    private final long[] minuteOf = new long[60];
    private volatile Long lastSmsAt;
    private volatile long signatureFailures;

    synchronized void sms(long now) {
      long minute = now / 60;
      int slot = (int) (minute % 60);
      if (minuteOf[slot] != minute) {
        minuteOf[slot] = minute;
        perMinute[slot] = 0;
      }
      perMinute[slot]++;
      lastSmsAt = now;
    }

    synchronized void signatureFailure() {
      signatureFailures++;
    }

    synchronized DeviceView view(String name, long now) {
      long minute = now / 60;
      long lastHour = 0;
      for (int i = 0; i < 60; i++) {
        if (minute - minuteOf[i] < 60) {
          lastHour += perMinute[i];
        }
      }
      return new DeviceView(name, lastSmsAt, lastHour, signatureFailures);
    }
  }
}
