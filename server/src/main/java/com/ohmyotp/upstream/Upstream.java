package com.ohmyotp.upstream;

import com.ohmyotp.api.ApiException;
import com.ohmyotp.catalog.Service;
import com.ohmyotp.db.Pipeline;
import com.ohmyotp.ledger.Money;
import com.ohmyotp.smsactivate.Countries;
import com.ohmyotp.smsactivate.HandlerApiClient;
import com.ohmyotp.smsactivate.HandlerApiClient.NumberReply;
import com.ohmyotp.smsactivate.HandlerApiClient.UpstreamException;
import com.ohmyotp.sources.NumberSource;
import com.ohmyotp.sources.NumberSupplier;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Numbers bought from upstream providers, the {@code upstream} source: a rent asks the service's
 * providers in turn ({@code getNumber}, with the highest cost that keeps the price rule's margin as
 * {@code maxPrice}) until one sells, skipping those whose circuit breaker is open.
 */
public final class Upstream implements NumberSource, NumberSupplier {

  public static final String NAME = "upstream";

  private static final Logger log = LoggerFactory.getLogger(Upstream.class);

  private final Providers providers;
  private final HandlerApiClient client;
  private final ProviderOutbox outbox;
  private final Breakers breakers;
  private final ProviderHealth health;
  private final UpstreamStock stock;
  private final boolean cheapestFirst;

  /**
   * @param breakerFailures failed calls in a row after which a provider is skipped
   * @param breakerOpen how long it is skipped before one probe call
   * @param stock what the providers last listed: prices by country, costs by provider
   * @param cheapestFirst providers are asked cheapest first as they last listed their prices (those
   *     without a price last); otherwise in the operator's order
   */
  public Upstream(
      Providers providers,
      HandlerApiClient client,
      ProviderOutbox outbox,
      int breakerFailures,
      java.time.Duration breakerOpen,
      ProviderHealth health,
      UpstreamStock stock,
      boolean cheapestFirst) {
    this.providers = providers;
    this.client = client;
    this.outbox = outbox;
    this.breakers = new Breakers(breakerFailures, breakerOpen);
    this.health = health;
    this.stock = stock;
    this.cheapestFirst = cheapestFirst;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void rentalStarted(StartedRental rental) {}

  @Override
  public Purchase buy(Service service, Optional<String> country) {
    List<Providers.Offer> offers = providers.offering(service.id());
    if (cheapestFirst) {
      Map<Integer, BigDecimal> costs =
          stock.of(service.id()).map(UpstreamStock.Stock::costByProvider).orElse(Map.of());
      offers =
          offers.stream()
              .sorted(
                  java.util.Comparator.comparing(
                      (Providers.Offer o) -> costs.get(o.provider().id()),
                      java.util.Comparator.nullsLast(java.util.Comparator.naturalOrder())))
              .toList();
    }
    boolean failed = false;
    for (Providers.Offer offer : offers) {
      Provider p = offer.provider();
      Optional<BigDecimal> maxCost = p.priceRule().maxCost(service.price());
      if (maxCost.isEmpty()) {
        // Its markup cannot fit in the service's price: it has nothing to sell at that price.
        continue;
      }
      Integer countryId =
          country.isPresent()
              ? Countries.byIso(country.get()).map(Countries.Country::id).orElse(null)
              : p.country();
      if (country.isPresent() && countryId == null) {
        continue;
      }
      CircuitBreaker breaker = breakers.of(p.id());
      if (!breaker.tryAcquirePermission()) {
        failed = true;
        continue;
      }
      long started = System.nanoTime();
      try {
        NumberReply reply = client.getNumber(offer.peer(), offer.code(), countryId, maxCost.get());
        long took = System.nanoTime() - started;
        health.call(p.name(), took, !(reply instanceof NumberReply.Refused));
        switch (reply) {
          case NumberReply.Number number -> {
            breaker.onSuccess(took, TimeUnit.NANOSECONDS);
            log.info(
                "bought a number from provider {} for {}: activation {}",
                p.name(),
                service.name(),
                number.activationId());
            return new Purchase(
                p.id(), p.name(), number.activationId(), number.phone(), Money.of(maxCost.get()));
          }
          case NumberReply.NoNumbers none -> breaker.onSuccess(took, TimeUnit.NANOSECONDS);
          case NumberReply.Refused refused -> {
            breaker.onError(
                took, TimeUnit.NANOSECONDS, new IllegalStateException(refused.answer()));
            log.warn("provider {} refused getNumber: {}", p.name(), refused.answer());
            failed = true;
          }
        }
      } catch (UpstreamException e) {
        health.call(p.name(), System.nanoTime() - started, false);
        breaker.onError(System.nanoTime() - started, TimeUnit.NANOSECONDS, e);
        log.warn("provider {} failed getNumber: {}", p.name(), e.getMessage());
        failed = true;
      }
    }
    if (failed) {
      throw new ApiException(
          502,
          "upstream_error",
          "The providers of numbers for " + service.name() + " are failing; try again shortly.");
    }
    throw ApiException.conflict(
        "no_numbers_available", "No numbers are available for " + service.name() + " right now.");
  }

  @Override
  public Optional<Money> priceIn(Service service, String country) {
    return stock.priceIn(service.id(), country);
  }

  @Override
  public void record(Pipeline writes, Purchase purchase, String rentalId, long now) {
    writes
        .add(
            """
            INSERT INTO upstream_rentals (rental_id, provider_id, provider_name, activation, cost,
                next_poll_at, created_at)
            VALUES (:rental, :provider, :name, :activation, :cost, :now, :now)
            """)
        .bind("rental", rentalId)
        .bind("provider", purchase.providerId())
        .bind("name", purchase.provider())
        .bind("activation", purchase.activation())
        .bind("cost", purchase.cost().amount())
        .bind("now", now);
  }

  @Override
  public void giveBack(Purchase purchase) {
    try {
      long id =
          outbox.add(
              purchase.providerId(), purchase.activation(), ProviderOutbox.CANCEL, "not_recorded");
      // At once, beside the failed request: the outbox's cycle retries it if this fails.
      Thread.ofVirtual().start(() -> outbox.attempt(id));
    } catch (RuntimeException e) {
      // The database refused the outbox row too: the provider's own timeout ends the activation.
      log.error(
          "activation {} of provider {} was bought and not recorded, and could not be queued for"
              + " cancelling: {}",
          purchase.activation(),
          purchase.provider(),
          e.toString());
    }
  }

  /** The state of the provider's circuit breaker on this node: closed, open or half_open. */
  public String breakerState(int providerId) {
    return breakers.of(providerId).getState().name().toLowerCase(java.util.Locale.ROOT);
  }
}
