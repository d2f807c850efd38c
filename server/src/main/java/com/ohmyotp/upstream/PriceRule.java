package com.ohmyotp.upstream;

import com.ohmyotp.ledger.Money;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Optional;

/**
 * What a provider's number sells for: its cost, plus a markup in percent and a fixed amount,
 * rounded up to the cent, and never below a floor. Rounding up keeps the margin whole.
 */
public record PriceRule(BigDecimal markupPercent, BigDecimal markupFixed, BigDecimal minPrice) {

  private static final BigDecimal HUNDRED = BigDecimal.valueOf(100);

  /** Our price for a number that costs us {@code cost}. */
  public Money price(BigDecimal cost) {
    BigDecimal marked =
        cost.multiply(BigDecimal.ONE.add(markupPercent.divide(HUNDRED)))
            .add(markupFixed)
            .setScale(2, RoundingMode.CEILING);
    return Money.of(marked.max(minPrice));
  }

  /**
   * The most a number may cost us so that selling it at {@code price} keeps this rule's margin: the
   * {@code maxPrice} to offer the provider; empty when no cost would.
   */
  public Optional<BigDecimal> maxCost(Money price) {
    BigDecimal left = price.amount().subtract(markupFixed);
    if (left.signum() <= 0 || minPrice.compareTo(price.amount()) > 0) {
      return Optional.empty();
    }
    BigDecimal cost =
        left.divide(BigDecimal.ONE.add(markupPercent.divide(HUNDRED)), 2, RoundingMode.FLOOR);
    // The rounding up of price() may still push it over: step down a cent until it holds.
    while (cost.signum() > 0 && price(cost).compareTo(price) > 0) {
      cost = cost.subtract(new BigDecimal("0.01"));
    }
    return cost.signum() > 0 ? Optional.of(cost) : Optional.empty();
  }
}
