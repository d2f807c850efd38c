package com.ohmyotp.api;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Map;
import java.util.function.BooleanSupplier;

/** Liveness, readiness and Prometheus metrics, for load balancers and monitoring. */
public final class Operations implements Routes {

  private final BooleanSupplier databaseReachable;
  private final PrometheusMeterRegistry metrics;

  public Operations(BooleanSupplier databaseReachable, PrometheusMeterRegistry metrics) {
    this.databaseReachable = databaseReachable;
    this.metrics = metrics;
  }

  @Override
  public void register(RoutesConfig routes) {
    routes.get("/healthz", ctx -> ctx.json(Map.of("status", "ok")));
    routes.get("/readyz", this::ready);
    routes.get(
        "/metrics",
        ctx ->
            ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape()));
  }

  private void ready(Context ctx) {
    if (databaseReachable.getAsBoolean()) {
      ctx.json(Map.of("status", "ready"));
    } else {
      ctx.status(503).json(new ErrorBody("not_ready", "The database is not reachable."));
    }
  }
}
