package com.ohmyotp.web;

import com.ohmyotp.catalog.Catalog;
import com.ohmyotp.catalog.CatalogRoutes.CountryPrice;
import com.ohmyotp.catalog.Service;
import com.ohmyotp.ledger.Money;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * What the dashboard offers to rent: every enabled service with its price and free numbers, and per
 * service the countries its numbers are in, each with its own count and price.
 */
public final class ServicePicker {

  /** A country a service has numbers in. */
  public record CountryChoice(String code, String name, long available, String price) {}

  /** A service in the picker, {@code affordable} when the balance covers its price. */
  public record ServiceChoice(
      String name,
      String category,
      String price,
      long available,
      boolean affordable,
      List<CountryChoice> countries) {}

  /** The services, and every country any of them has numbers in (for the picker's own choice). */
  public record Offer(List<ServiceChoice> services, List<CountryChoice> countries) {}

  private final Catalog catalog;
  private final Function<List<Service>, Map<Integer, Long>> available;
  private final Function<List<Service>, Map<Integer, Map<String, Long>>> byCountry;
  private final CountryPrice priceIn;

  public ServicePicker(
      Catalog catalog,
      Function<List<Service>, Map<Integer, Long>> available,
      Function<List<Service>, Map<Integer, Map<String, Long>>> byCountry,
      CountryPrice priceIn) {
    this.catalog = catalog;
    this.available = available;
    this.byCountry = byCountry;
    this.priceIn = priceIn;
  }

  Offer offer(Money balance) {
    List<Service> enabled = catalog.listing();
    Map<Integer, Long> counts = available.apply(enabled);
    Map<Integer, Map<String, Long>> countries = byCountry.apply(enabled);
    Map<String, Long> everywhere = new TreeMap<>();
    List<ServiceChoice> services = new ArrayList<>(enabled.size());
    for (Service s : enabled) {
      List<CountryChoice> in = new ArrayList<>();
      countries
          .getOrDefault(s.id(), Map.of())
          .forEach(
              (code, count) -> {
                if (count > 0) {
                  in.add(
                      new CountryChoice(
                          code,
                          countryName(code),
                          count,
                          priceIn.in(s, code).orElse(s.price()).display()));
                  everywhere.merge(code, count, Long::sum);
                }
              });
      in.sort(Comparator.comparing(CountryChoice::name));
      services.add(
          new ServiceChoice(
              s.name(),
              s.category(),
              s.price().display(),
              counts.getOrDefault(s.id(), 0L),
              balance.compareTo(s.price()) >= 0,
              in));
    }
    List<CountryChoice> all =
        everywhere.entrySet().stream()
            .map(e -> new CountryChoice(e.getKey(), countryName(e.getKey()), e.getValue(), ""))
            .sorted(Comparator.comparing(CountryChoice::name))
            .toList();
    return new Offer(services, all);
  }

  static String countryName(String code) {
    String name = Locale.of("", code).getDisplayCountry(Locale.ENGLISH);
    return name.isEmpty() || name.equals(code) ? code : name;
  }
}
