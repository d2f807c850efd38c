package com.ohmyotp.upstream;

import com.ohmyotp.api.ApiAuth;
import com.ohmyotp.api.Routes;
import io.javalin.config.RoutesConfig;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code /api/admin/sources}: every number source, and for each upstream provider how it has
 * answered this node — its circuit breaker, when it last answered, its error rate, its latency, our
 * balance there, the calls still owed it, and those it never took (each an activation the provider
 * may have charged us for, for the operator to settle with it).
 */
public final class SourceRoutes implements Routes {

  /** A source of our own numbers: how many it has in inventory. */
  record LocalSource(String name, String kind, long numbers) {}

  /** An upstream provider as the operator watches it. */
  record ProviderSource(
      String name,
      String kind,
      String url,
      String breaker,
      Long lastSuccessAt,
      long calls,
      long failures,
      double errorRate,
      Double latencyP50Ms,
      Double latencyP99Ms,
      BigDecimal balance,
      long pendingCalls,
      long givenUpCalls) {}

  private final Providers providers;
  private final Upstream upstream;
  private final ProviderHealth health;
  private final ProviderOutbox outbox;
  private final Supplier<Map<String, Long>> numbersBySource;
  private final ApiAuth auth;

  /**
   * @param numbersBySource the numbers in inventory of each of our own sources
   */
  public SourceRoutes(
      Providers providers,
      Upstream upstream,
      ProviderHealth health,
      ProviderOutbox outbox,
      Supplier<Map<String, Long>> numbersBySource,
      ApiAuth auth) {
    this.providers = providers;
    this.upstream = upstream;
    this.health = health;
    this.outbox = outbox;
    this.numbersBySource = numbersBySource;
    this.auth = auth;
  }

  @Override
  public void register(RoutesConfig routes) {
    routes.get(
        "/api/admin/sources",
        auth.admin(
            ctx -> {
              List<Object> sources = new ArrayList<>();
              numbersBySource
                  .get()
                  .forEach((name, numbers) -> sources.add(new LocalSource(name, name, numbers)));
              Map<Integer, Long> pending = outbox.pendingByProvider();
              Map<Integer, Long> givenUp = outbox.givenUpByProvider();
              for (Provider p : providers.list()) {
                ProviderHealth.Snapshot s = health.snapshot(p.name());
                sources.add(
                    new ProviderSource(
                        p.name(),
                        Upstream.NAME,
                        p.url(),
                        upstream.breakerState(p.id()),
                        s.lastSuccessAt(),
                        s.calls(),
                        s.failures(),
                        s.errorRate(),
                        s.latencyP50Ms(),
                        s.latencyP99Ms(),
                        s.balance(),
                        pending.getOrDefault(p.id(), 0L),
                        givenUp.getOrDefault(p.id(), 0L)));
              }
              ctx.json(Map.of("sources", sources));
            }));
  }
}
