package com.ohmyotp.web;

import com.ohmyotp.api.ApiException;
import com.ohmyotp.api.Routes;
import com.ohmyotp.inventory.PhoneNumbers;
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
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The customer's dashboard: balance, renting (a service, a country where there is a choice, the
 * price and the balance before the charge), and active rentals with every SMS arriving live. Every
 * action goes through the same use cases the API uses, so the account is the same either way.
 */
public final class DashboardPages implements Routes {

  /**
   * Times as the page is first drawn; the browser rewrites each in its own zone ({@code app.js}).
   */
  static final DateTimeFormatter WHEN =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC);

  /** An SMS of a rental, as the dashboard shows it. */
  public record SmsLine(String sender, String message, String code, long receivedAt) {}

  /** An active rental as the dashboard shows it, its SMS newest first. */
  public record ActiveRental(
      String id,
      String service,
      PhoneNumbers.Written phone,
      String country,
      String status,
      String timeLeft,
      List<SmsLine> sms) {}

  private final Website site;
  private final Renting renting;
  private final Rentals rentals;
  private final ServicePicker picker;
  private final Clock clock;

  public DashboardPages(
      Website site, Renting renting, Rentals rentals, ServicePicker picker, Clock clock) {
    this.site = site;
    this.renting = renting;
    this.rentals = rentals;
    this.picker = picker;
    this.clock = clock;
  }

  @Override
  public void register(RoutesConfig routes) {
    routes.get("/dashboard", site.signedIn((ctx, v) -> dashboard(ctx, v, 200, null)));
    routes.get("/dashboard/rentals", site.signedIn(this::activeFragment));
    routes.post("/dashboard/rent", site.signedIn(this::rent));
    routes.post("/dashboard/rentals/{id}/cancel", site.signedIn(this::cancel));
    routes.post("/dashboard/rerent", site.signedIn(this::rerent));
  }

  private void dashboard(Context ctx, Visitor v, int status, String error) {
    ServicePicker.Offer offer = picker.offer(v.account().balance());
    Map<String, Object> params = new HashMap<>();
    params.put("visitor", v);
    params.put("services", offer.services());
    params.put("countries", offer.countries());
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
    String country = Optional.ofNullable(ctx.formParam("country")).orElse("").strip();
    try {
      if (service == null || service.isBlank()) {
        throw ApiException.badRequest("missing_field", "Pick a service to rent a number for.");
      }
      if (!country.isEmpty() && !country.matches("[A-Za-z]{2}")) {
        throw ApiException.badRequest("invalid_field", "Pick a country from the list.");
      }
      renting.rent(
          v.caller(),
          service.trim(),
          Optional.empty(),
          new Renting.Wishes(
              country.isEmpty() ? Optional.empty() : Optional.of(country.toUpperCase(Locale.ROOT)),
              Optional.empty()));
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

  private List<ActiveRental> active(Visitor v) {
    long now = clock.instant().getEpochSecond();
    // The dashboard shows every rental holding a number, on one page.
    return rentals.active(v.caller(), 1, Integer.MAX_VALUE).rentals().stream()
        .map(r -> activeRental(r, now))
        .toList();
  }

  private static ActiveRental activeRental(RentalView r, long now) {
    List<SmsLine> sms =
        r.smsMessages().stream()
            .sorted(Comparator.comparingLong(SmsView::id).reversed())
            .map(m -> new SmsLine(m.sender(), m.message(), m.code(), m.receivedAt()))
            .toList();
    return new ActiveRental(
        r.id(),
        r.serviceId(),
        PhoneNumbers.written(r.phoneE164()),
        r.country() == null ? "" : ServicePicker.countryName(r.country()),
        r.status(),
        timeLeft(r.expiresAt() - now),
        sms);
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

  /** A time as first drawn, before the browser puts it in its own zone. */
  public static String utc(long epochSecond) {
    return WHEN.format(Instant.ofEpochSecond(epochSecond));
  }

  /** The machine-readable form of a time, for a {@code <time datetime>}. */
  public static String iso(long epochSecond) {
    return Instant.ofEpochSecond(epochSecond).toString();
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
