package com.ohmyotp.upstream;

import com.ohmyotp.catalog.Catalog;
import com.ohmyotp.catalog.Service;
import com.ohmyotp.ledger.Money;
import com.ohmyotp.smsactivate.Countries;
import com.ohmyotp.smsactivate.HandlerApiClient;
import com.ohmyotp.smsactivate.HandlerApiClient.Price;
import com.ohmyotp.smsactivate.HandlerApiClient.UpstreamException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the providers have for each upstream service: how many numbers, in which countries, and the
 * price they sell for under each provider's price rule. Read from the providers' {@code getPrices}
 * in the background every {@link #REFRESH}, so that a provider that is down or slow makes no
 * listing slow or failing; a service's price in the catalog follows the cheapest provider that has
 * numbers, so that every node charges it.
 */
public final class UpstreamStock {

  private static final Logger log = LoggerFactory.getLogger(UpstreamStock.class);

  /** How often the providers' prices are read again. */
  public static final Duration REFRESH = Duration.ofSeconds(30);

  /**
   * What one service has across its providers.
   *
   * @param costByProvider the lowest cost of a number of the service at each provider that has one
   * @param priceByCountry the lowest price of a number of the service in each country (ISO 3166)
   */
  public record Stock(
      long total,
      Map<String, Long> byCountry,
      Optional<Money> price,
      Map<Integer, java.math.BigDecimal> costByProvider,
      Map<String, Money> priceByCountry) {}

  /** The lowest price of the service's numbers in a country, as last read. */
  public Optional<Money> priceIn(int serviceId, String country) {
    return of(serviceId).flatMap(s -> Optional.ofNullable(s.priceByCountry().get(country)));
  }

  private final Providers providers;
  private final HandlerApiClient client;
  private final Catalog catalog;
  private final ProviderHealth health;
  private volatile Map<Integer, Stock> stock = Map.of();
  private volatile Map<Integer, Long> totals = Map.of();

  public UpstreamStock(
      Providers providers, HandlerApiClient client, Catalog catalog, ProviderHealth health) {
    this.providers = providers;
    this.client = client;
    this.catalog = catalog;
    this.health = health;
  }

  /** Numbers the providers have for each upstream service, by service id, as last read. */
  public Map<Integer, Long> totals() {
    return totals;
  }

  /** What the providers have for the service, as last read; empty for a service they never sold. */
  public Optional<Stock> of(int serviceId) {
    return Optional.ofNullable(stock.get(serviceId));
  }

  /** Reads our balance at every provider: shown to the operator, and warned of when low. */
  private void readBalances() {
    for (Provider p : providers.list()) {
      providers
          .reach(p.id())
          .ifPresent(
              reach -> {
                long started = System.nanoTime();
                try {
                  health.balance(p.name(), client.getBalance(reach.peer()));
                  health.call(p.name(), System.nanoTime() - started, true);
                } catch (UpstreamException e) {
                  health.call(p.name(), System.nanoTime() - started, false);
                  log.info("provider {} getBalance failed: {}", p.name(), e.getMessage());
                }
              });
    }
  }

  /**
   * Counts per service id: {@code local}'s, with the providers' for upstream services. While
   * neither changes, the same map is answered again, so that a listing written from it is reused.
   */
  public java.util.function.Function<List<Service>, Map<Integer, Long>> overlaying(
      java.util.function.Function<List<Service>, Map<Integer, Long>> local) {
    record Merged(Map<Integer, Long> local, Map<Integer, Long> upstream, Map<Integer, Long> all) {}
    java.util.concurrent.atomic.AtomicReference<Merged> last =
        new java.util.concurrent.atomic.AtomicReference<>();
    return services -> {
      Map<Integer, Long> mine = local.apply(services);
      Map<Integer, Long> theirs = totals;
      Merged m = last.get();
      if (m != null && m.local() == mine && m.upstream() == theirs) {
        return m.all();
      }
      if (theirs.isEmpty()) {
        return mine;
      }
      Map<Integer, Long> all = new HashMap<>(mine);
      all.putAll(theirs);
      Merged merged = new Merged(mine, theirs, Map.copyOf(all));
      last.set(merged);
      return merged.all();
    };
  }

  /** Reads every provider's prices once, and moves upstream services' prices where they changed. */
  public void refresh() {
    List<Service> upstream =
        catalog.listing().stream().filter(s -> s.source().equals(Upstream.NAME)).toList();
    Map<Integer, Stock> read = new HashMap<>();
    Map<Integer, List<Price>> pricesByProvider = new HashMap<>();
    for (Service service : upstream) {
      long total = 0;
      Map<String, Long> byCountry = new TreeMap<>();
      Map<Integer, java.math.BigDecimal> costs = new HashMap<>();
      Map<String, Money> countryPrices = new TreeMap<>();
      Optional<Money> cheapest = Optional.empty();
      for (Providers.Offer offer : providers.offering(service.id())) {
        Provider p = offer.provider();
        List<Price> prices = pricesByProvider.get(p.id());
        if (prices == null && !pricesByProvider.containsKey(p.id())) {
          long started = System.nanoTime();
          try {
            prices = client.getPrices(offer.peer(), p.country());
            health.call(p.name(), System.nanoTime() - started, true);
          } catch (UpstreamException e) {
            health.call(p.name(), System.nanoTime() - started, false);
            log.info("provider {} getPrices failed: {}", p.name(), e.getMessage());
          }
          pricesByProvider.put(p.id(), prices);
        }
        if (prices == null) {
          continue;
        }
        for (Price price : prices) {
          if (!price.service().equals(offer.code()) || price.count() == 0) {
            continue;
          }
          Money ours = p.priceRule().price(price.cost());
          costs.merge(p.id(), price.cost(), java.math.BigDecimal::min);
          total += price.count();
          Countries.byId(price.country())
              .ifPresent(
                  c -> {
                    byCountry.merge(c.iso(), price.count(), Long::sum);
                    countryPrices.merge(c.iso(), ours, (a, b) -> a.compareTo(b) <= 0 ? a : b);
                  });
          if (cheapest.isEmpty() || ours.compareTo(cheapest.get()) < 0) {
            cheapest = Optional.of(ours);
          }
        }
      }
      read.put(
          service.id(),
          new Stock(
              total,
              Map.copyOf(byCountry),
              cheapest,
              Map.copyOf(costs),
              Map.copyOf(countryPrices)));
      if (cheapest.isPresent() && cheapest.get().compareTo(service.price()) != 0) {
        catalog.change(
            service.publicId(), new Catalog.Change(null, cheapest.get(), null, null, null));
        log.info(
            "price of {} follows its providers: {} -> {}",
            service.name(),
            service.price().display(),
            cheapest.get().display());
      }
    }
    readBalances();
    Map<Integer, Long> newTotals = new HashMap<>();
    read.forEach((id, s) -> newTotals.put(id, s.total()));
    stock = Map.copyOf(read);
    totals = Map.copyOf(newTotals);
  }
}
