package com.ohmyotp.sources;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The number sources this node runs, by name. */
public final class NumberSources {

  private final Map<String, NumberSource> byName = new LinkedHashMap<>();

  public NumberSources(List<NumberSource> sources) {
    for (NumberSource source : sources) {
      if (byName.put(source.name(), source) != null) {
        throw new IllegalArgumentException("two number sources are called " + source.name());
      }
    }
  }

  public Set<String> names() {
    return byName.keySet();
  }

  /** The source's supplier when it buys each number as it is rented (an upstream provider). */
  public java.util.Optional<NumberSupplier> supplier(String sourceName) {
    return byName.get(sourceName) instanceof NumberSupplier supplier
        ? java.util.Optional.of(supplier)
        : java.util.Optional.empty();
  }

  public void rentalStarted(String sourceName, NumberSource.StartedRental rental) {
    NumberSource source = byName.get(sourceName);
    if (source != null) {
      source.rentalStarted(rental);
    }
  }
}
