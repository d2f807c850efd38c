package com.ohmyotp.catalog;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.ohmyotp.api.ApiAuth;
import com.ohmyotp.api.ApiException;
import com.ohmyotp.api.Json;
import com.ohmyotp.api.Routes;
import com.ohmyotp.ledger.Money;
import io.javalin.config.RoutesConfig;
import io.javalin.http.ContentType;
import io.javalin.http.Context;
import java.util.List;
import java.util.Map;

/** {@code /services} for customers, {@code /api/admin/services} for the operator. */
public final class CatalogRoutes implements Routes {

  /**
   * Counts fresh numbers per service id, for the services given and possibly others; the inventory
   * answers it, with the same map for as long as the counts are unchanged.
   */
  @FunctionalInterface
  public interface Availability {
    Map<Integer, Long> count(List<Service> services);
  }

  /** Counts fresh numbers of each service id by country (ISO 3166 alpha-2). */
  @FunctionalInterface
  public interface CountryAvailability {
    Map<Integer, Map<String, Long>> count(List<Service> services);
  }

  /** A service's price in one country where it differs from its price; empty otherwise. */
  @FunctionalInterface
  public interface CountryPrice {
    java.util.Optional<Money> in(Service service, String country);
  }

  /** A service as customers see it. */
  public record ServiceView(
      String id, String name, Money price, long available, String category, int durationSeconds) {}

  /** A service as the operator sees it. */
  public record AdminServiceView(
      String id,
      String name,
      String category,
      Money price,
      int durationSeconds,
      String source,
      boolean enabled,
      String protocolCode) {
    static AdminServiceView of(Service s) {
      return new AdminServiceView(
          s.publicId(),
          s.name(),
          s.category(),
          s.price(),
          s.durationSeconds(),
          s.source(),
          s.enabled(),
          s.protocolCode());
    }
  }

  record ServiceList(List<ServiceView> services, int total) {}

  record CreateService(
      String name,
      String category,
      Money price,
      Integer durationSeconds,
      String source,
      String protocolCode) {}

  record ChangeService(
      String category,
      Money price,
      Integer durationSeconds,
      Boolean enabled,
      String protocolCode) {}

  /** A written listing and what it was written from. */
  private record Listing(List<Service> services, Map<Integer, Long> counts, byte[] body) {}

  private final Catalog catalog;
  private final Availability availability;
  private final CountryAvailability byCountry;
  private final CountryPrice countryPrice;
  private volatile Listing lastListing;
  private final ApiAuth auth;
  private final ObjectMapper json;

  public CatalogRoutes(
      Catalog catalog,
      Availability availability,
      CountryAvailability byCountry,
      CountryPrice countryPrice,
      ApiAuth auth,
      ObjectMapper json) {
    this.catalog = catalog;
    this.availability = availability;
    this.byCountry = byCountry;
    this.countryPrice = countryPrice;
    this.auth = auth;
    this.json = json;
  }

  @Override
  public void register(RoutesConfig routes) {
    routes.get("/api/v1/services", auth.customer((ctx, caller) -> list(ctx)));
    routes.get("/api/v1/services/{id}", auth.customer((ctx, caller) -> detail(ctx)));
    routes.post("/api/admin/services", auth.admin(this::create));
    routes.get(
        "/api/admin/services",
        auth.admin(
            ctx ->
                ctx.json(
                    java.util.Map.of(
                        "services", catalog.all().stream().map(AdminServiceView::of).toList()))));
    routes.patch("/api/admin/services/{id}", auth.admin(this::change));
  }

  private void list(Context ctx) {
    String country = ctx.queryParam("country");
    if (country != null) {
      listInCountry(ctx, country);
      return;
    }
    List<Service> services = catalog.listing();
    Map<Integer, Long> counts = availability.count(services);
    // Both change at most once a second, while a listing is read by every customer many times
    // more often: the body written for them is written again only when one of them changed.
    Listing listing = lastListing;
    if (listing == null || listing.services() != services || listing.counts() != counts) {
      // The same content read again keeps its body; the new lists are kept either way, since the
      // next requests get them too and then compare by identity alone.
      boolean sameContent =
          listing != null && listing.services().equals(services) && listing.counts().equals(counts);
      listing =
          new Listing(services, counts, sameContent ? listing.body() : write(services, counts));
      lastListing = listing;
    }
    ctx.contentType(ContentType.APPLICATION_JSON).result(listing.body());
  }

  /** The services that have numbers in one country, each with that country's count. */
  private void listInCountry(Context ctx, String raw) {
    String country = raw.strip().toUpperCase(java.util.Locale.ROOT);
    if (!country.matches("[A-Z]{2}")) {
      throw ApiException.badRequest(
          "invalid_query", "'country' must be a country's ISO 3166 code, such as 'US'.");
    }
    List<Service> services = catalog.listing();
    Map<Integer, Map<String, Long>> counts = byCountry.count(services);
    List<ServiceView> views =
        services.stream()
            .map(
                s ->
                    view(
                        countryPrice.in(s, country).map(s::withPrice).orElse(s),
                        Map.of(
                            s.id(),
                            counts.getOrDefault(s.id(), Map.of()).getOrDefault(country, 0L))))
            .filter(v -> v.available() > 0)
            .toList();
    ctx.json(new ServiceList(views, views.size()));
  }

  private byte[] write(List<Service> services, Map<Integer, Long> counts) {
    List<ServiceView> views = services.stream().map(s -> view(s, counts)).toList();
    return Json.write(json, new ServiceList(views, views.size()));
  }

  private void detail(Context ctx) {
    Service service = catalog.requireRentable(ctx.pathParam("id"));
    ctx.json(view(service, availability.count(List.of(service))));
  }

  private void create(Context ctx) {
    CreateService body = Json.read(json, ctx, CreateService.class);
    if (body.price() == null) {
      throw ApiException.badRequest("missing_field", "Field 'price' is required.");
    }
    Service created =
        catalog.create(
            body.name(),
            body.category(),
            body.price(),
            body.durationSeconds(),
            body.source(),
            body.protocolCode());
    ctx.status(201).json(AdminServiceView.of(created));
  }

  private void change(Context ctx) {
    ChangeService body = Json.read(json, ctx, ChangeService.class);
    Service changed =
        catalog.change(
            ctx.pathParam("id"),
            new Catalog.Change(
                body.category(),
                body.price(),
                body.durationSeconds(),
                body.enabled(),
                body.protocolCode()));
    ctx.json(AdminServiceView.of(changed));
  }

  private static ServiceView view(Service s, Map<Integer, Long> counts) {
    return new ServiceView(
        s.publicId(),
        s.name(),
        s.price(),
        counts.getOrDefault(s.id(), 0L),
        s.category(),
        s.durationSeconds());
  }
}
