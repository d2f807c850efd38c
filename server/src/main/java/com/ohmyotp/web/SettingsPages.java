package com.ohmyotp.web;

import com.ohmyotp.accounts.ApiKeys;
import com.ohmyotp.accounts.ApiKeys.IssuedKey;
import com.ohmyotp.api.ApiException;
import com.ohmyotp.api.Routes;
import com.ohmyotp.web.Website.Visitor;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Settings → API keys: create one (shown once), see them all, revoke one. */
public final class SettingsPages implements Routes {

  /** A key in the list: never the secret. */
  public record KeyRow(
      long id, String name, String prefix, String created, String lastUsed, boolean revoked) {}

  private final Website site;
  private final ApiKeys keys;

  public SettingsPages(Website site, ApiKeys keys) {
    this.site = site;
    this.keys = keys;
  }

  @Override
  public void register(RoutesConfig routes) {
    routes.get("/settings", ctx -> ctx.redirect("/settings/keys", HttpStatus.SEE_OTHER));
    routes.get("/settings/keys", site.signedIn((ctx, v) -> page(ctx, v, 200, null, null)));
    routes.post("/settings/keys", site.signedIn(this::create));
    routes.post("/settings/keys/{id}/revoke", site.signedIn(this::revoke));
  }

  private void create(Context ctx, Visitor v) {
    try {
      IssuedKey issued = keys.issue(v.account().id(), ctx.formParam("name"));
      // Rendered, not redirected: the only time the key is shown is this one answer.
      page(ctx, v, 201, issued, null);
    } catch (ApiException e) {
      page(ctx, v, e.status(), null, e.getMessage());
    }
  }

  private void revoke(Context ctx, Visitor v) {
    long id;
    try {
      id = Long.parseLong(ctx.pathParam("id"));
    } catch (NumberFormatException e) {
      page(ctx, v, 404, null, "There is no such API key.");
      return;
    }
    try {
      keys.revokeOwn(v.account().id(), id);
      ctx.redirect("/settings/keys", HttpStatus.SEE_OTHER);
    } catch (ApiException e) {
      page(ctx, v, e.status(), null, e.getMessage());
    }
  }

  private void page(Context ctx, Visitor v, int status, IssuedKey issued, String error) {
    List<KeyRow> rows =
        keys.list(v.account().id()).stream()
            .map(
                k ->
                    new KeyRow(
                        k.id(),
                        k.name(),
                        k.prefix(),
                        DashboardPages.WHEN.format(Instant.ofEpochSecond(k.createdAt())),
                        k.lastUsedAt() == null
                            ? "never"
                            : DashboardPages.WHEN.format(Instant.ofEpochSecond(k.lastUsedAt())),
                        k.revoked()))
            .toList();
    Map<String, Object> params = new HashMap<>();
    params.put("visitor", v);
    params.put("keys", rows);
    params.put("issuedName", issued == null ? "" : issued.name());
    params.put("issuedSecret", issued == null ? "" : issued.secret());
    params.put("error", error == null ? "" : error);
    site.render(ctx, status, "keys.jte", params);
  }
}
