package com.ohmyotp.catalog;

import com.ohmyotp.ledger.Money;

/**
 * A catalog entry customers rent numbers for. {@code id} is the database key; the API calls it
 * {@code AppID-<id>} (see {@link #publicId()}).
 */
public record Service(
    int id,
    String name,
    String category,
    Money price,
    int durationSeconds,
    String source,
    boolean enabled) {

  public static final String ID_PREFIX = "AppID-";

  public String publicId() {
    return ID_PREFIX + id;
  }
}
