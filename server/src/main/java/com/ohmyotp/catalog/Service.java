package com.ohmyotp.catalog;

import com.ohmyotp.ledger.Money;

/**
 * A catalog entry customers rent numbers for. {@code id} is the database key; the API calls it
 * {@code AppID-<id>} (see {@link #publicId()}).
 *
 * @param protocolCode the service's short code in the SMS-Activate protocol ({@code ub}), or null
 */
public record Service(
    int id,
    String name,
    String category,
    Money price,
    int durationSeconds,
    String source,
    boolean enabled,
    String protocolCode) {

  public static final String ID_PREFIX = "AppID-";

  /**
   * This service at another price: its price in one country, where its source prices them apart.
   */
  public Service withPrice(Money otherPrice) {
    return new Service(
        id, name, category, otherPrice, durationSeconds, source, enabled, protocolCode);
  }

  public String publicId() {
    return ID_PREFIX + id;
  }
}
