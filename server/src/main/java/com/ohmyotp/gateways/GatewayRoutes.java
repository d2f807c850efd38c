package com.ohmyotp.gateways;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.ohmyotp.api.ApiAuth;
import com.ohmyotp.api.Json;
import com.ohmyotp.api.Routes;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.List;
import java.util.Map;

/**
 * {@code /api/admin/gateways}: the operator's gateways, each with the URL to paste into its sender
 * and its health. No answer carries a secret.
 */
public final class GatewayRoutes implements Routes {

  /** A gateway as the operator sees it: everything but its secret. */
  record GatewayView(
      String name,
      String kind,
      String inboundUrl,
      String publicUrl,
      boolean autoRegister,
      String signatureMethod,
      int silentMinutes,
      long numbers,
      List<SimView> devices,
      Health health,
      long createdAt) {}

  record SimView(String device, Integer sim, String phone) {}

  /**
   * @param down whether it has been silent past its threshold (the same on every node)
   * @param devices what this node saw of each device
   */
  record Health(
      boolean down,
      Long lastSeenAt,
      long smsLastHour,
      long signatureFailures,
      List<GatewayHealth.DeviceView> devices) {}

  record GatewayList(List<GatewayView> gateways) {}

  private final Gateways gateways;
  private final GatewayHealth health;
  private final ApiAuth auth;
  private final ObjectMapper json;

  public GatewayRoutes(Gateways gateways, GatewayHealth health, ApiAuth auth, ObjectMapper json) {
    this.gateways = gateways;
    this.health = health;
    this.auth = auth;
    this.json = json;
  }

  @Override
  public void register(RoutesConfig routes) {
    routes.post(
        "/api/admin/gateways",
        auth.admin(ctx -> ctx.status(201).json(view(ctx, gateways.create(draft(ctx)), null))));
    routes.get(
        "/api/admin/gateways",
        auth.admin(
            ctx -> {
              Map<Integer, Long> numbers = gateways.numbersByGateway();
              ctx.json(
                  new GatewayList(
                      gateways.list().stream().map(g -> view(ctx, g, numbers)).toList()));
            }));
    routes.get(
        "/api/admin/gateways/{name}",
        auth.admin(ctx -> ctx.json(view(ctx, gateways.require(ctx.pathParam("name")), null))));
    routes.patch(
        "/api/admin/gateways/{name}",
        auth.admin(
            ctx -> ctx.json(view(ctx, gateways.change(ctx.pathParam("name"), draft(ctx)), null))));
    routes.delete(
        "/api/admin/gateways/{name}",
        auth.admin(
            ctx -> {
              Gateway g = gateways.require(ctx.pathParam("name"));
              gateways.delete(g.name());
              health.forget(g.name());
              ctx.status(204);
            }));
  }

  private Gateways.Draft draft(Context ctx) {
    return Json.read(json, ctx, Gateways.Draft.class);
  }

  private GatewayView view(Context ctx, Gateway g, Map<Integer, Long> numbers) {
    List<GatewayHealth.DeviceView> devices = health.devices(g.name());
    long numbersServed =
        (numbers == null ? gateways.numbersByGateway() : numbers).getOrDefault(g.id(), 0L);
    return new GatewayView(
        g.name(),
        g.kind().wireName(),
        inboundUrl(ctx, g),
        g.publicUrl(),
        g.autoRegister(),
        g.signatureMethod(),
        g.silentMinutes(),
        numbersServed,
        g.sims().stream()
            .map(s -> new SimView(s.device(), s.slot() == 0 ? null : s.slot(), s.e164()))
            .toList(),
        new Health(
            g.down(),
            g.lastSeenAt(),
            devices.stream().mapToLong(GatewayHealth.DeviceView::smsLastHour).sum(),
            devices.stream().mapToLong(GatewayHealth.DeviceView::signatureFailures).sum(),
            devices),
        g.createdAt());
  }

  /** The URL to paste into the sender: the public one the operator set, else this server's own. */
  static String inboundUrl(Context ctx, Gateway g) {
    if (g.publicUrl() != null) {
      return g.publicUrl();
    }
    String base = ctx.scheme() + "://" + ctx.host();
    return base + "/api/v1/inbound/" + g.name();
  }
}
