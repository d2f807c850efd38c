package com.ohmyotp.push;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.ohmyotp.api.ApiAuth;
import com.ohmyotp.api.ApiException;
import com.ohmyotp.api.Json;
import com.ohmyotp.api.Params;
import com.ohmyotp.api.Routes;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.List;

/**
 * {@code /api/v1/webhooks}: a customer's endpoints (the secret shown once, when registered or
 * rotated), each one's delivery log, a test event and the replay of a failed delivery.
 */
public final class WebhookRoutes implements Routes {

  record Register(String url, List<String> events) {}

  /** An endpoint as answered; {@code secret} only right after it was made. */
  record EndpointView(
      String id,
      String url,
      List<String> events,
      boolean enabled,
      String disabledReason,
      long createdAt,
      @JsonInclude(JsonInclude.Include.NON_NULL) String secret) {}

  record EndpointList(List<EndpointView> webhooks) {}

  record DeliveryList(List<Webhooks.Delivery> deliveries) {}

  record Queued(long deliveryId, String state) {}

  record Deleted(String id, boolean deleted) {}

  private final Webhooks webhooks;
  private final WebhookSender sender;
  private final ApiAuth auth;
  private final ObjectMapper json;

  public WebhookRoutes(Webhooks webhooks, WebhookSender sender, ApiAuth auth, ObjectMapper json) {
    this.webhooks = webhooks;
    this.sender = sender;
    this.auth = auth;
    this.json = json;
  }

  @Override
  public void register(RoutesConfig routes) {
    routes.post(
        "/api/v1/webhooks",
        auth.customer(
            (ctx, caller) -> {
              Register body = Json.read(json, ctx, Register.class);
              ctx.status(201)
                  .json(view(webhooks.create(caller.accountId(), body.url(), body.events())));
            }));
    routes.get(
        "/api/v1/webhooks",
        auth.customer(
            (ctx, caller) ->
                ctx.json(
                    new EndpointList(
                        webhooks.list(caller.accountId()).stream()
                            .map(e -> view(e, null))
                            .toList()))));
    routes.get(
        "/api/v1/webhooks/{id}",
        auth.customer(
            (ctx, caller) ->
                ctx.json(view(webhooks.require(caller.accountId(), ctx.pathParam("id")), null))));
    routes.delete(
        "/api/v1/webhooks/{id}",
        auth.customer(
            (ctx, caller) -> {
              webhooks.delete(caller.accountId(), ctx.pathParam("id"));
              ctx.json(new Deleted(ctx.pathParam("id"), true));
            }));
    routes.post(
        "/api/v1/webhooks/{id}/rotate",
        auth.customer(
            (ctx, caller) ->
                ctx.json(view(webhooks.rotate(caller.accountId(), ctx.pathParam("id"))))));
    routes.post(
        "/api/v1/webhooks/{id}/enable",
        auth.customer(
            (ctx, caller) ->
                ctx.json(view(webhooks.enable(caller.accountId(), ctx.pathParam("id")), null))));
    routes.post(
        "/api/v1/webhooks/{id}/test",
        auth.customer(
            (ctx, caller) -> {
              long id = webhooks.sendTest(caller.accountId(), ctx.pathParam("id"));
              sender.wake();
              ctx.status(202).json(new Queued(id, "pending"));
            }));
    routes.get(
        "/api/v1/webhooks/{id}/deliveries",
        auth.customer(
            (ctx, caller) ->
                ctx.json(
                    new DeliveryList(
                        webhooks.deliveries(
                            caller.accountId(),
                            ctx.pathParam("id"),
                            Params.cursor("before", ctx.queryParam("before"))
                                .orElse(Long.MAX_VALUE),
                            Params.limit(ctx.queryParam("limit")))))));
    routes.post(
        "/api/v1/webhooks/{id}/deliveries/{delivery}/replay",
        auth.customer(
            (ctx, caller) -> {
              Webhooks.Delivery d =
                  webhooks.replay(caller.accountId(), ctx.pathParam("id"), deliveryId(ctx));
              sender.wake();
              ctx.status(202).json(new Queued(d.id(), "pending"));
            }));
  }

  private static long deliveryId(Context ctx) {
    try {
      return Long.parseLong(ctx.pathParam("delivery"));
    } catch (NumberFormatException e) {
      throw ApiException.notFound("delivery_not_found", "This webhook has no delivery of that id.");
    }
  }

  private static EndpointView view(Webhooks.WithSecret made) {
    return view(made.endpoint(), made.secret());
  }

  private static EndpointView view(Webhooks.Endpoint e, String secret) {
    return new EndpointView(
        e.id(), e.url(), e.events(), e.enabled(), e.disabledReason(), e.createdAt(), secret);
  }
}
