package com.ohmyotp.web;

import com.ohmyotp.accounts.Accounts;
import com.ohmyotp.api.ApiException;
import com.ohmyotp.api.Routes;
import com.ohmyotp.catalog.Catalog;
import com.ohmyotp.catalog.Service;
import com.ohmyotp.ledger.Transaction;
import com.ohmyotp.rentals.RentalHistory;
import com.ohmyotp.rentals.RentalStatus;
import com.ohmyotp.rentals.RentalViews.HistoryEntry;
import com.ohmyotp.rentals.RentalViews.RentalView;
import com.ohmyotp.rentals.RentalViews.SmsView;
import com.ohmyotp.rentals.Rentals;
import com.ohmyotp.rentals.Renting;
import com.ohmyotp.web.Website.Visitor;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

/**
 * The customer's dashboard: balance, renting, active rentals with their codes arriving live,
 * history with re-rent, and transactions. Every action goes through the same use cases the API
 * uses, so the account is the same either way.
 */
public final class DashboardPages implements Routes {

  private static final int HISTORY_PAGE = 20;
  private static final int TRANSACTIONS_SHOWN = 100;
  static final DateTimeFormatter WHEN =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC);

  /** A service in the picker. */
  public record ServiceChoice(String name, String category, String price, long available) {}

  /** An active rental as the dashboard shows it. */
  public record ActiveRental(
      String id,
      String service,
      String phone,
      String status,
      String timeLeft,
      String code,
      String message,
      String sender,
      int smsCount) {}

  /** A row of the history page. */
  public record HistoryRow(
      String id,
      String service,
      String phone,
      String status,
      String rentedAt,
      String cost,
      String code,
      String message,
      boolean rentable,
      String reason,
      String price) {}

  /** A row of the transactions page. */
  public record TransactionRow(
      String when, String type, String amount, boolean credit, String detail) {}

  private final Website site;
  private final Renting renting;
  private final Rentals rentals;
  private final RentalHistory history;
  private final Catalog catalog;
  private final Function<List<Service>, Map<Integer, Long>> availability;
  private final Accounts accounts;
  private final Clock clock;

  public DashboardPages(
      Website site,
      Renting renting,
      Rentals rentals,
      RentalHistory history,
      Catalog catalog,
      Function<List<Service>, Map<Integer, Long>> availability,
      Accounts accounts,
      Clock clock) {
    this.site = site;
    this.renting = renting;
    this.rentals = rentals;
    this.history = history;
    this.catalog = catalog;
    this.availability = availability;
    this.accounts = accounts;
    this.clock = clock;
  }

  @Override
  public void register(RoutesConfig routes) {
    routes.get("/dashboard", site.signedIn((ctx, v) -> dashboard(ctx, v, 200, null)));
    routes.get("/dashboard/rentals", site.signedIn(this::activeFragment));
    routes.post("/dashboard/rent", site.signedIn(this::rent));
    routes.post("/dashboard/rentals/{id}/cancel", site.signedIn(this::cancel));
    routes.post("/dashboard/rerent", site.signedIn(this::rerent));
    routes.get("/history", site.signedIn(this::history));
    routes.get("/transactions", site.signedIn(this::transactions));
  }

  private void dashboard(Context ctx, Visitor v, int status, String error) {
    Map<String, Object> params = new HashMap<>();
    params.put("visitor", v);
    params.put("services", services());
    params.put("rentals", active(v));
    params.put("error", error == null ? "" : error);
    params.put("notice", site.takeFlash(ctx));
    site.render(ctx, status, "dashboard.jte", params);
  }

  private void activeFragment(Context ctx, Visitor v) {
    site.render(ctx, 200, "active.jte", Map.of("rentals", active(v), "visitor", v));
  }

  private void rent(Context ctx, Visitor v) {
    String service = ctx.formParam("service");
    try {
      if (service == null || service.isBlank()) {
        throw ApiException.badRequest("missing_field", "Pick a service to rent a number for.");
      }
      renting.rent(v.caller(), service.trim(), Optional.empty());
      site.flash(ctx, notice("rented"));
      ctx.redirect("/dashboard", HttpStatus.SEE_OTHER);
    } catch (ApiException e) {
      dashboard(ctx, v, e.status(), e.getMessage());
    }
  }

  private void cancel(Context ctx, Visitor v) {
    try {
      var cancelled = rentals.cancel(v.caller(), ctx.pathParam("id"));
      site.flash(ctx, notice(cancelled.refundAmount().isPositive() ? "refunded" : "cancelled"));
      ctx.redirect("/dashboard", HttpStatus.SEE_OTHER);
    } catch (ApiException e) {
      dashboard(ctx, v, e.status(), e.getMessage());
    }
  }

  private void rerent(Context ctx, Visitor v) {
    String key = ctx.formParam("idempotency_key");
    try {
      renting.rerent(
          v.caller(),
          String.valueOf(ctx.formParam("service")),
          String.valueOf(ctx.formParam("phone")),
          key == null ? UUID.randomUUID().toString() : key);
      site.flash(ctx, notice("rented"));
      ctx.redirect("/dashboard", HttpStatus.SEE_OTHER);
    } catch (ApiException e) {
      dashboard(ctx, v, e.status(), e.getMessage());
    }
  }

  private void history(Context ctx, Visitor v) {
    String rawStatus = Optional.ofNullable(ctx.queryParam("status")).orElse("all");
    Optional<RentalStatus> status =
        rawStatus.equals("all") ? Optional.empty() : RentalStatus.fromWire(rawStatus);
    boolean used = "true".equals(ctx.queryParam("used"));
    int page = parsePage(ctx.queryParam("page"));
    var result = history.history(v.caller(), status, used, page, HISTORY_PAGE);
    Map<String, String> prices = new HashMap<>();
    for (Service service : catalog.listing()) {
      prices.put(service.name(), service.price().display());
    }
    List<HistoryRow> rows =
        result.rentals().stream().map(e -> historyRow(e, prices.get(e.serviceId()))).toList();
    long pages = Math.max(1, (result.total() + HISTORY_PAGE - 1) / HISTORY_PAGE);
    Map<String, Object> params = new HashMap<>();
    params.put("visitor", v);
    params.put("rows", rows);
    params.put("status", status.map(RentalStatus::wire).orElse("all"));
    params.put("used", used);
    params.put("page", page);
    params.put("pages", pages);
    params.put("total", result.total());
    params.put("rerentKey", UUID.randomUUID().toString());
    site.render(ctx, 200, "history.jte", params);
  }

  private void transactions(Context ctx, Visitor v) {
    List<Transaction> recent = accounts.statement(v.account().id(), TRANSACTIONS_SHOWN).recent();
    List<TransactionRow> rows =
        recent.stream()
            .map(
                t ->
                    new TransactionRow(
                        WHEN.format(Instant.ofEpochSecond(t.createdAtUnix())),
                        t.type().replace('_', ' '),
                        (t.amount().isPositive() ? "+" : "") + t.amount().display(),
                        t.amount().isPositive(),
                        t.serviceId() != null
                            ? t.serviceId()
                            : Optional.ofNullable(t.note()).orElse("")))
            .toList();
    site.render(
        ctx,
        200,
        "transactions.jte",
        Map.of("visitor", v, "rows", rows, "shown", TRANSACTIONS_SHOWN));
  }

  private List<ServiceChoice> services() {
    List<Service> enabled = catalog.listing();
    Map<Integer, Long> counts = availability.apply(enabled);
    return enabled.stream()
        .map(
            s ->
                new ServiceChoice(
                    s.name(), s.category(), s.price().display(), counts.getOrDefault(s.id(), 0L)))
        .toList();
  }

  private List<ActiveRental> active(Visitor v) {
    long now = clock.instant().getEpochSecond();
    // The dashboard shows every rental holding a number, on one page.
    return rentals.active(v.caller(), 1, Integer.MAX_VALUE).rentals().stream()
        .map(r -> activeRental(r, now))
        .toList();
  }

  private static ActiveRental activeRental(RentalView r, long now) {
    Optional<SmsView> newest = r.smsMessages().stream().max(Comparator.comparingLong(SmsView::id));
    return new ActiveRental(
        r.id(),
        r.serviceId(),
        r.phoneNumber(),
        r.status(),
        timeLeft(r.expiresAt() - now),
        newest.map(SmsView::code).orElse(null),
        newest.map(SmsView::message).orElse(null),
        newest.map(SmsView::sender).orElse(null),
        r.smsMessages().size());
  }

  /** A row, with {@code price} what a re-rent would charge now (null for a service withdrawn). */
  private static HistoryRow historyRow(HistoryEntry e, String price) {
    return new HistoryRow(
        e.id(),
        e.serviceId(),
        e.phoneNumber(),
        e.status(),
        WHEN.format(Instant.ofEpochSecond(e.rentedAt())),
        e.cost().display(),
        e.lastCode(),
        e.lastSmsFullText(),
        e.rentable() && price != null,
        e.rentableReason().replace('_', ' '),
        price);
  }

  static String timeLeft(long seconds) {
    if (seconds <= 0) {
      return "ended";
    }
    if (seconds < 60) {
      return seconds + " s left";
    }
    long minutes = (seconds + 59) / 60;
    return minutes < 120 ? minutes + " min left" : (minutes / 60) + " h left";
  }

  private static int parsePage(String raw) {
    try {
      return raw == null ? 1 : Math.max(1, Math.min(Integer.parseInt(raw), 100_000));
    } catch (NumberFormatException e) {
      return 1;
    }
  }

  private static String notice(String code) {
    return switch (code) {
      case "rented" -> "Number rented. Its code will appear below as soon as the SMS arrives.";
      case "refunded" -> "Rental cancelled and refunded in full.";
      case "cancelled" -> "Rental cancelled. A code had arrived, so there is no refund.";
      default -> "";
    };
  }
}
