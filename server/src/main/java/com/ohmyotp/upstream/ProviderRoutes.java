package com.ohmyotp.upstream;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.ohmyotp.api.ApiAuth;
import com.ohmyotp.api.Json;
import com.ohmyotp.api.Routes;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/** {@code /api/admin/providers}: the operator's upstream providers. No answer carries a key. */
public final class ProviderRoutes implements Routes {

  /** A provider as the operator sees it: everything but its key. */
  record ProviderView(
      String name,
      String url,
      Integer country,
      Map<String, String> services,
      BigDecimal markupPercent,
      BigDecimal markupFixed,
      BigDecimal minPrice,
      int priority,
      long createdAt) {
    static ProviderView of(Provider p) {
      return new ProviderView(
          p.name(),
          p.url(),
          p.country(),
          p.services(),
          p.priceRule().markupPercent(),
          p.priceRule().markupFixed(),
          p.priceRule().minPrice(),
          p.priority(),
          p.createdAt());
    }
  }

  record ProviderList(List<ProviderView> providers) {}

  private final Providers providers;
  private final ApiAuth auth;
  private final ObjectMapper json;

  public ProviderRoutes(Providers providers, ApiAuth auth, ObjectMapper json) {
    this.providers = providers;
    this.auth = auth;
    this.json = json;
  }

  @Override
  public void register(RoutesConfig routes) {
    routes.post(
        "/api/admin/providers",
        auth.admin(ctx -> ctx.status(201).json(ProviderView.of(providers.create(draft(ctx))))));
    routes.get(
        "/api/admin/providers",
        auth.admin(
            ctx ->
                ctx.json(
                    new ProviderList(providers.list().stream().map(ProviderView::of).toList()))));
    routes.get(
        "/api/admin/providers/{name}",
        auth.admin(ctx -> ctx.json(ProviderView.of(providers.require(ctx.pathParam("name"))))));
    routes.patch(
        "/api/admin/providers/{name}",
        auth.admin(
            ctx -> ctx.json(ProviderView.of(providers.change(ctx.pathParam("name"), draft(ctx))))));
    routes.delete(
        "/api/admin/providers/{name}",
        auth.admin(
            ctx -> {
              providers.delete(ctx.pathParam("name"));
              ctx.status(204);
            }));
  }

  private Providers.Draft draft(Context ctx) {
    return Json.read(json, ctx, Providers.Draft.class);
  }
}
