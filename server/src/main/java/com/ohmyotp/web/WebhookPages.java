package com.ohmyotp.web;

import com.ohmyotp.api.ApiException;
import com.ohmyotp.api.Routes;
import com.ohmyotp.push.EventType;
import com.ohmyotp.push.WebhookSender;
import com.ohmyotp.push.Webhooks;
import com.ohmyotp.web.Website.Visitor;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Settings → Webhooks: register an endpoint (its secret shown once), see each one's latest
 * deliveries, send a test event, replay a failed delivery, rotate the secret, enable a disabled
 * endpoint, delete one. The same endpoints as {@code /api/v1/webhooks}.
 */
public final class WebhookPages implements Routes {

  /** Deliveries shown under each endpoint. */
  static final int RECENT = 5;

  /** An endpoint on the page, with its newest deliveries. */
  public record EndpointRow(
      String id,
      String url,
      String events,
      boolean enabled,
      String disabledReason,
      String created,
      List<DeliveryRow> deliveries) {}

  /** A delivery on the page. */
  public record DeliveryRow(
      long id, String type, String state, int attempts, String outcome, String created) {}

  /** An event type a customer may tick. */
  public record EventChoice(String wire, String label) {}

  static final List<EventChoice> CHOICES =
      List.of(
          new EventChoice(EventType.SMS_RECEIVED.wire(), "An SMS arrives (with its code)"),
          new EventChoice(EventType.RENTAL_COMPLETED.wire(), "A rental completes"),
          new EventChoice(EventType.RENTAL_EXPIRED.wire(), "A rental expires (refunded)"),
          new EventChoice(EventType.RENTAL_CANCELLED.wire(), "A rental is cancelled"),
          new EventChoice(EventType.BALANCE_LOW.wire(), "The balance runs low"));

  private final Website site;
  private final Webhooks webhooks;
  private final WebhookSender sender;

  public WebhookPages(Website site, Webhooks webhooks, WebhookSender sender) {
    this.site = site;
    this.webhooks = webhooks;
    this.sender = sender;
  }

  @Override
  public void register(RoutesConfig routes) {
    routes.get("/settings/webhooks", site.signedIn((ctx, v) -> page(ctx, v, 200, null, null)));
    routes.post("/settings/webhooks", site.signedIn(this::create));
    routes.post("/settings/webhooks/{id}/test", site.signedIn(this::test));
    routes.post("/settings/webhooks/{id}/rotate", site.signedIn(this::rotate));
    routes.post("/settings/webhooks/{id}/enable", site.signedIn(this::enable));
    routes.post("/settings/webhooks/{id}/delete", site.signedIn(this::delete));
    routes.post(
        "/settings/webhooks/{id}/deliveries/{delivery}/replay", site.signedIn(this::replay));
  }

  private void create(Context ctx, Visitor v) {
    try {
      Webhooks.WithSecret made =
          webhooks.create(v.account().id(), ctx.formParam("url"), ctx.formParams("events"));
      // Rendered, not redirected: the only time the secret is shown is this one answer.
      page(ctx, v, 201, made, null);
    } catch (ApiException e) {
      page(ctx, v, e.status(), null, e.getMessage());
    }
  }

  private void rotate(Context ctx, Visitor v) {
    try {
      page(ctx, v, 200, webhooks.rotate(v.account().id(), ctx.pathParam("id")), null);
    } catch (ApiException e) {
      page(ctx, v, e.status(), null, e.getMessage());
    }
  }

  private void test(Context ctx, Visitor v) {
    act(ctx, v, () -> webhooks.sendTest(v.account().id(), ctx.pathParam("id")));
  }

  private void enable(Context ctx, Visitor v) {
    act(ctx, v, () -> webhooks.enable(v.account().id(), ctx.pathParam("id")));
  }

  private void delete(Context ctx, Visitor v) {
    act(ctx, v, () -> webhooks.delete(v.account().id(), ctx.pathParam("id")));
  }

  private void replay(Context ctx, Visitor v) {
    long delivery;
    try {
      delivery = Long.parseLong(ctx.pathParam("delivery"));
    } catch (NumberFormatException e) {
      page(ctx, v, 404, null, "There is no such delivery.");
      return;
    }
    act(ctx, v, () -> webhooks.replay(v.account().id(), ctx.pathParam("id"), delivery));
  }

  /** Does it and goes back to the page (a reload does not do it again), or shows what failed. */
  private void act(Context ctx, Visitor v, Runnable action) {
    try {
      action.run();
      sender.wake();
      ctx.redirect("/settings/webhooks", HttpStatus.SEE_OTHER);
    } catch (ApiException e) {
      page(ctx, v, e.status(), null, e.getMessage());
    }
  }

  private void page(Context ctx, Visitor v, int status, Webhooks.WithSecret made, String error) {
    long account = v.account().id();
    List<EndpointRow> rows =
        webhooks.list(account).stream()
            .map(
                e ->
                    new EndpointRow(
                        e.id(),
                        e.url(),
                        String.join(", ", e.events()),
                        e.enabled(),
                        e.disabledReason() == null ? "" : e.disabledReason(),
                        DashboardPages.WHEN.format(Instant.ofEpochSecond(e.createdAt())),
                        webhooks.deliveries(account, e.id(), Long.MAX_VALUE, RECENT).stream()
                            .map(WebhookPages::row)
                            .toList()))
            .toList();
    Map<String, Object> params = new HashMap<>();
    params.put("visitor", v);
    params.put("webhooks", rows);
    params.put("choices", CHOICES);
    params.put("madeUrl", made == null ? "" : made.endpoint().url());
    params.put("madeSecret", made == null ? "" : made.secret());
    params.put("error", error == null ? "" : error);
    site.render(ctx, status, "webhooks.jte", params);
  }

  private static DeliveryRow row(Webhooks.Delivery d) {
    String outcome =
        switch (d.state()) {
          case "delivered" -> "answered " + d.lastStatus();
          case "pending" ->
              d.attempts() == 0
                  ? "sending"
                  : (d.lastError() == null ? "failed" : d.lastError())
                      + "; next try "
                      + DashboardPages.WHEN.format(Instant.ofEpochSecond(d.nextAttemptAt()));
          default -> d.lastError() == null ? "failed" : d.lastError();
        };
    return new DeliveryRow(
        d.id(),
        d.type(),
        d.state(),
        d.attempts(),
        outcome,
        DashboardPages.WHEN.format(Instant.ofEpochSecond(d.createdAt())));
  }
}
