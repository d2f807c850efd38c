package com.ohmyotp.sources;

import com.ohmyotp.catalog.Service;
import com.ohmyotp.db.Pipeline;
import com.ohmyotp.ledger.Money;
import java.util.Optional;

/**
 * A source that buys each number from elsewhere when it is rented: an upstream provider. Renting
 * asks it for a number before its transaction (a provider call never runs inside one), records the
 * purchase in that transaction, and gives the number back when the transaction fails.
 */
public interface NumberSupplier {

  /** A number bought for one rental, not recorded yet. */
  record Purchase(int providerId, String provider, String activation, String e164, Money cost) {}

  /**
   * Buys a number for the service, of {@code country} (ISO 3166) when one is asked, trying the
   * service's providers in turn.
   *
   * @throws com.ohmyotp.api.ApiException 409 {@code no_numbers_available} when every provider has
   *     none, 502 {@code upstream_error} when any failed otherwise
   */
  Purchase buy(Service service, Optional<String> country);

  /**
   * What a number of the service costs in a country (ISO 3166), when the supplier prices countries
   * apart; empty means the service's price.
   */
  default Optional<Money> priceIn(Service service, String country) {
    return Optional.empty();
  }

  /**
   * Records the purchase as the rental's, among the rental's own writes (one transaction, and on
   * PostgreSQL one round trip).
   */
  void record(Pipeline writes, Purchase purchase, String rentalId, long now);

  /**
   * The rental of a purchase was not recorded: the number goes back to its provider, from an outbox
   * that outlives this process.
   */
  void giveBack(Purchase purchase);
}
