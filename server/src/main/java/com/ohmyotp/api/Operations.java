package com.ohmyotp.api;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/** Liveness, readiness and Prometheus metrics, for load balancers and monitoring. */
public final class Operations implements Routes {

  private final BooleanSupplier databaseReachable;
  private final PrometheusMeterRegistry metrics;
  private final Optional<byte[]> metricsToken;

  /**
   * @param metricsToken when present, {@code /metrics} asks for it as a bearer token (Prometheus's
   *     {@code authorization} setting sends one)
   */
  public Operations(
      BooleanSupplier databaseReachable,
      PrometheusMeterRegistry metrics,
      Optional<String> metricsToken) {
    this.databaseReachable = databaseReachable;
    this.metrics = metrics;
    this.metricsToken = metricsToken.map(t -> t.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public void register(RoutesConfig routes) {
    routes.get("/healthz", ctx -> ctx.json(Map.of("status", "ok")));
    routes.get("/readyz", this::ready);
    routes.get("/metrics", this::metrics);
  }

  private void metrics(Context ctx) {
    if (metricsToken.isPresent() && !bearsToken(ctx, metricsToken.get())) {
      ctx.header("WWW-Authenticate", "Bearer");
      throw ApiException.unauthorized(
          "unauthorized", "The metrics need the token set in OHMYOTP_METRICS_TOKEN.");
    }
    ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape());
  }

  private static boolean bearsToken(Context ctx, byte[] token) {
    String header = ctx.header("Authorization");
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return false;
    }
    // In constant time: how much of a guess was right must not show in how long it took.
    return MessageDigest.isEqual(
        header.substring(7).trim().getBytes(StandardCharsets.UTF_8), token);
  }

  private void ready(Context ctx) {
    if (databaseReachable.getAsBoolean()) {
      ctx.json(Map.of("status", "ready"));
    } else {
      ctx.status(503).json(new ErrorBody("not_ready", "The database is not reachable."));
    }
  }
}
