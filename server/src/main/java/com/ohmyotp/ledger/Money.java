package com.ohmyotp.ledger;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Objects;

/**
 * An exact amount of the account currency. Never a {@code double}: amounts are stored as {@code
 * NUMERIC(19,4)} and carried as {@link BigDecimal} end to end.
 */
public record Money(BigDecimal amount) implements Comparable<Money> {

  /** Digits after the decimal point that the ledger keeps. */
  public static final int SCALE = 4;

  /** The largest amount accepted from outside (a price, a deposit). */
  public static final Money MAX_INPUT = Money.of("1000000000");

  public static final Money ZERO = new Money(BigDecimal.ZERO);

  public Money {
    Objects.requireNonNull(amount, "amount");
    if (amount.scale() > SCALE
        && amount.setScale(SCALE, RoundingMode.DOWN).compareTo(amount) != 0) {
      throw new IllegalArgumentException("more than " + SCALE + " decimal places: " + amount);
    }
    amount = amount.setScale(SCALE, RoundingMode.UNNECESSARY);
  }

  public static Money of(String amount) {
    return new Money(new BigDecimal(amount));
  }

  public static Money of(BigDecimal amount) {
    return new Money(amount);
  }

  public Money plus(Money other) {
    return new Money(amount.add(other.amount));
  }

  public Money minus(Money other) {
    return new Money(amount.subtract(other.amount));
  }

  public Money negate() {
    return new Money(amount.negate());
  }

  public boolean isPositive() {
    return amount.signum() > 0;
  }

  public boolean isNegative() {
    return amount.signum() < 0;
  }

  public boolean isZero() {
    return amount.signum() == 0;
  }

  @Override
  public int compareTo(Money other) {
    return amount.compareTo(other.amount);
  }

  /** The shortest exact decimal: {@code 0.4}, {@code 9997.6}, {@code 0}. */
  public String plain() {
    BigDecimal stripped = amount.stripTrailingZeros();
    return (stripped.signum() == 0 ? BigDecimal.ZERO : stripped).toPlainString();
  }

  /** For people: at least two decimals, never a rounded cent: {@code 4.60}, {@code 0.1234}. */
  public String display() {
    BigDecimal stripped = amount.stripTrailingZeros();
    return amount.setScale(Math.max(2, stripped.scale())).toPlainString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Money m && amount.compareTo(m.amount) == 0;
  }

  @Override
  public int hashCode() {
    return amount.stripTrailingZeros().hashCode();
  }

  @Override
  public String toString() {
    return plain();
  }
}
