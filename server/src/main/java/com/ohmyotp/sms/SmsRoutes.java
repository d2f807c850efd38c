package com.ohmyotp.sms;

import com.ohmyotp.api.ApiAuth;
import com.ohmyotp.api.Params;
import com.ohmyotp.api.Routes;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.List;

/** {@code GET /api/admin/sms/unmatched}: SMS that reached no rental, newest first. */
public final class SmsRoutes implements Routes {

  record UnmatchedList(List<UnmatchedSms> messages, Long nextBefore) {}

  private final UnmatchedMessages unmatched;
  private final ApiAuth auth;

  public SmsRoutes(UnmatchedMessages unmatched, ApiAuth auth) {
    this.unmatched = unmatched;
    this.auth = auth;
  }

  @Override
  public void register(RoutesConfig routes) {
    routes.get("/api/admin/sms/unmatched", auth.admin(this::unmatched));
  }

  private void unmatched(Context ctx) {
    int limit = Params.limit(ctx.queryParam("limit"));
    Long cursor = Params.cursor("before", ctx.queryParam("before")).orElse(null);
    List<UnmatchedSms> messages = unmatched.page(cursor, limit);
    Long next = messages.size() == limit ? messages.get(messages.size() - 1).id() : null;
    ctx.json(new UnmatchedList(messages, next));
  }
}
