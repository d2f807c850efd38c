package com.ohmyotp.rentals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.ohmyotp.api.ApiAuth;
import com.ohmyotp.api.ApiException;
import com.ohmyotp.api.Caller;
import com.ohmyotp.api.Json;
import com.ohmyotp.api.Params;
import com.ohmyotp.api.Routes;
import com.ohmyotp.ledger.Money;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** The rental endpoints of the reference. */
public final class RentalRoutes implements Routes {

  record RentRequest(String serviceId, String country, Money maxPrice) {}

  record RerentRequest(String serviceId, String phoneNumber) {}

  record CheckRequest(String serviceId, List<String> phoneNumbers) {}

  record ReportRequest(String reason) {}

  private final Renting renting;
  private final Rentals rentals;
  private final RentalHistory history;
  private final RerentCheck rerentCheck;
  private final LongPolls longPolls;
  private final ApiAuth auth;
  private final ObjectMapper json;

  public RentalRoutes(
      Renting renting,
      Rentals rentals,
      RentalHistory history,
      RerentCheck rerentCheck,
      LongPolls longPolls,
      ApiAuth auth,
      ObjectMapper json) {
    this.renting = renting;
    this.rentals = rentals;
    this.history = history;
    this.rerentCheck = rerentCheck;
    this.longPolls = longPolls;
    this.auth = auth;
    this.json = json;
  }

  @Override
  public void register(RoutesConfig routes) {
    // The poll first: customers call it far more than anything else, and Javalin tries a
    // request's path against the routes in the order they were added, twice per request.
    routes.get("/api/v1/rentals/{id}/code", auth.customer(this::code));
    // Fixed paths before {id}: /rentals/active must not be read as the rental called "active".
    routes.post("/api/v1/rentals", auth.customer(this::rent));
    routes.get(
        "/api/v1/rentals/active",
        auth.customer(
            (ctx, caller) ->
                ctx.json(
                    rentals.active(
                        caller,
                        Params.page(ctx.queryParam("page")),
                        Params.limit(ctx.queryParam("limit"))))));
    routes.get("/api/v1/rentals/history", auth.customer(this::history));
    routes.post("/api/v1/rentals/rerent", auth.customer(this::rerent));
    routes.post("/api/v1/rentals/rerent/check", auth.customer(this::check));
    routes.get(
        "/api/v1/rentals/{id}",
        auth.customer((ctx, caller) -> ctx.json(rentals.get(caller, ctx.pathParam("id")))));
    routes.post("/api/v1/rentals/{id}/report", auth.customer(this::report));
    routes.get(
        "/api/admin/reports",
        auth.admin(
            ctx ->
                ctx.json(
                    java.util.Map.of(
                        "reports", rentals.reports(Params.limit(ctx.queryParam("limit")))))));
    routes.post(
        "/api/v1/rentals/{id}/cancel",
        auth.customer((ctx, caller) -> ctx.json(rentals.cancel(caller, ctx.pathParam("id")))));
  }

  /**
   * The poll as the reference has it, or with {@code wait} (0 to 60 s) and {@code after} (an SMS
   * id) a long-poll that answers when there is something new ({@link LongPolls}).
   */
  private void code(Context ctx, Caller caller) {
    String wait = ctx.queryParam("wait");
    String after = ctx.queryParam("after");
    if (wait == null && after == null) {
      ctx.json(rentals.code(caller, ctx.pathParam("id")));
      return;
    }
    int seconds = Params.seconds("wait", wait, LongPolls.MAX_WAIT_SECONDS);
    // after=0: everything the rental has is new; otherwise an SMS id, as the answers show them.
    Long since =
        after == null ? null : after.equals("0") ? 0L : Params.cursor("after", after).get();
    CompletableFuture<RentalViews.CodeView> answer =
        longPolls.code(caller, ctx.pathParam("id"), since, seconds);
    if (answer.isDone()) {
      ctx.json(answer.join());
      return;
    }
    // The request waits without a thread; it is answered when the future completes.
    ctx.future(() -> answer.thenAccept(ctx::json));
  }

  private void rent(Context ctx, Caller caller) {
    RentRequest body = Json.read(json, ctx, RentRequest.class);
    String service = required(body.serviceId(), "service_id");
    // The whole request is checked before anything is looked up: a malformed key is a 400
    // whether or not the service exists.
    Optional<String> key =
        Optional.ofNullable(ctx.header("Idempotency-Key")).map(IdempotencyKeys::check);
    Optional<String> country = Optional.ofNullable(body.country()).map(RentalRoutes::country);
    if (body.maxPrice() != null
        && (body.maxPrice().isNegative() || body.maxPrice().compareTo(Money.MAX_INPUT) > 0)) {
      throw ApiException.badRequest("invalid_amount", "max_price must be from 0 to 1000000000.");
    }
    send(
        ctx,
        renting.rent(
            caller,
            service,
            key,
            new Renting.Wishes(country, Optional.ofNullable(body.maxPrice()))));
  }

  private void rerent(Context ctx, Caller caller) {
    String key = IdempotencyKeys.check(ctx.queryParam("idempotency_key"));
    RerentRequest body = Json.read(json, ctx, RerentRequest.class);
    send(
        ctx,
        renting.rerent(
            caller,
            required(body.serviceId(), "service_id"),
            required(body.phoneNumber(), "phone_number"),
            key));
  }

  private void check(Context ctx, Caller caller) {
    CheckRequest body = Json.read(json, ctx, CheckRequest.class);
    String service = required(body.serviceId(), "service_id");
    if (body.phoneNumbers() == null) {
      throw ApiException.badRequest("missing_field", "Field 'phone_numbers' is required.");
    }
    if (body.phoneNumbers().stream().anyMatch(p -> p == null)) {
      throw ApiException.badRequest(
          "invalid_field", "Field 'phone_numbers' must hold strings only.");
    }
    ctx.json(rerentCheck.check(caller, service, body.phoneNumbers()));
  }

  private void report(Context ctx, Caller caller) {
    ReportRequest body = Json.read(json, ctx, ReportRequest.class);
    Rentals.ReportReason reason =
        Rentals.ReportReason.fromWire(required(body.reason(), "reason"))
            .orElseThrow(
                () ->
                    ApiException.badRequest(
                        "invalid_field",
                        "'reason' must be one of number_already_used, no_sms, other."));
    ctx.json(rentals.report(caller, ctx.pathParam("id"), reason));
  }

  private void history(Context ctx, Caller caller) {
    String rawStatus = ctx.queryParam("status");
    Optional<RentalStatus> status;
    if (rawStatus == null || rawStatus.equals("all")) {
      status = Optional.empty();
    } else {
      status =
          Optional.of(
              RentalStatus.fromWire(rawStatus)
                  .orElseThrow(
                      () ->
                          ApiException.badRequest(
                              "invalid_query",
                              "'status' must be one of all, active, completed, expired, cancelled.")));
    }
    boolean used = Params.bool("used", ctx.queryParam("used")).orElse(false);
    int page = Params.page(ctx.queryParam("page"));
    int limit = Params.limit(ctx.queryParam("limit"));
    ctx.json(history.history(caller, status, used, page, limit));
  }

  private static void send(Context ctx, Renting.Rented rented) {
    ctx.status(201);
    switch (rented) {
      case Renting.Rented.Started started -> ctx.json(started.rental());
      case Renting.Rented.Replayed replayed ->
          ctx.contentType("application/json").result(replayed.firstAnswer());
    }
  }

  /** A country as ISO 3166 alpha-2, upper case; 400 for anything else. */
  private static String country(String raw) {
    String code = raw.strip().toUpperCase(java.util.Locale.ROOT);
    if (!code.matches("[A-Z]{2}")
        || !com.google.i18n.phonenumbers.PhoneNumberUtil.getInstance()
            .getSupportedRegions()
            .contains(code)) {
      throw ApiException.badRequest(
          "invalid_field", "Field 'country' must be a country's ISO 3166 code, such as 'US'.");
    }
    return code;
  }

  private static String required(String value, String field) {
    if (value == null || value.isBlank()) {
      throw ApiException.badRequest("missing_field", "Field '" + field + "' is required.");
    }
    return value;
  }
}
