package com.ohmyotp.api;

import com.ohmyotp.db.Database;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.math.BigDecimal;
import java.util.Map;

/** Liveness, readiness, Prometheus metrics and the operator's stats. */
public final class Operations implements Routes {

  record Stats(
      long accounts,
      long services,
      long numbersInInventory,
      long rentalsHoldingNumbers,
      long rentalsTotal,
      long unmatchedSms,
      BigDecimal balancesTotal) {}

  private final Database db;
  private final PrometheusMeterRegistry metrics;
  private final ApiAuth auth;
  private final java.time.Clock clock;

  public Operations(
      Database db, PrometheusMeterRegistry metrics, ApiAuth auth, java.time.Clock clock) {
    this.db = db;
    this.metrics = metrics;
    this.auth = auth;
    this.clock = clock;
  }

  @Override
  public void register(RoutesConfig routes) {
    routes.get("/healthz", ctx -> ctx.json(Map.of("status", "ok")));
    routes.get("/readyz", this::ready);
    routes.get(
        "/metrics",
        ctx ->
            ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape()));
    routes.get("/api/admin/stats", auth.admin(this::stats));
  }

  /** An amount as a JSON number as every amount is written: {@code 12.5}, never {@code 1.25E+1}. */
  private static BigDecimal plain(BigDecimal amount) {
    BigDecimal stripped = amount.stripTrailingZeros();
    return stripped.scale() < 0 ? stripped.setScale(0) : stripped;
  }

  private void ready(Context ctx) {
    if (db.ping()) {
      ctx.json(Map.of("status", "ready"));
    } else {
      ctx.status(503).json(new ErrorBody("not_ready", "The database is not reachable."));
    }
  }

  private void stats(Context ctx) {
    long now = clock.instant().getEpochSecond();
    Stats stats =
        db.read(
            h ->
                new Stats(
                    count(h, "SELECT COUNT(*) FROM accounts"),
                    count(h, "SELECT COUNT(*) FROM services"),
                    count(h, "SELECT COUNT(*) FROM phone_numbers WHERE retired_at IS NULL"),
                    h.createQuery(
                            "SELECT COUNT(*) FROM rentals WHERE status IN ('active', 'completed') AND expires_at > :now")
                        .bind("now", now)
                        .mapTo(Long.class)
                        .one(),
                    count(h, "SELECT COUNT(*) FROM rentals"),
                    count(h, "SELECT COUNT(*) FROM unmatched_sms"),
                    plain(
                        h.createQuery("SELECT COALESCE(SUM(balance), 0) FROM accounts")
                            .mapTo(BigDecimal.class)
                            .one())));
    ctx.json(stats);
  }

  private static long count(org.jdbi.v3.core.Handle h, String sql) {
    return h.createQuery(sql).mapTo(Long.class).one();
  }
}
