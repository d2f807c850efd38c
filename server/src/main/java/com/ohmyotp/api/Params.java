package com.ohmyotp.api;

import java.util.Optional;

/** Strict parsing of query parameters: anything malformed is a 400, never a guess. */
public final class Params {

  public static final int DEFAULT_LIMIT = 50;
  public static final int MAX_LIMIT = 200;
  private static final int MAX_DIGITS = 9;

  private Params() {}

  /** {@code page}: a whole number ≥ 1, default 1. */
  public static int page(String raw) {
    return raw == null ? 1 : positive("page", raw);
  }

  /** {@code limit}: a whole number ≥ 1, default 50, above 200 clamped to 200. */
  public static int limit(String raw) {
    return raw == null ? DEFAULT_LIMIT : Math.min(positive("limit", raw), MAX_LIMIT);
  }

  public static Optional<Boolean> bool(String name, String raw) {
    if (raw == null) {
      return Optional.empty();
    }
    return switch (raw) {
      case "true" -> Optional.of(true);
      case "false" -> Optional.of(false);
      default ->
          throw ApiException.badRequest("invalid_query", "'" + name + "' must be true or false.");
    };
  }

  private static int positive(String name, String raw) {
    String digits = raw.startsWith("+") ? raw.substring(1) : raw;
    if (digits.isEmpty() || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw ApiException.badRequest(
          "invalid_query", "'" + name + "' must be a whole number of at least 1.");
    }
    String significant = digits.replaceFirst("^0+(?=.)", "");
    if (significant.length() > MAX_DIGITS) {
      if (name.equals("limit")) {
        return MAX_LIMIT;
      }
      throw ApiException.badRequest("invalid_query", "'" + name + "' is too large.");
    }
    int value = Integer.parseInt(significant);
    if (value < 1) {
      throw ApiException.badRequest(
          "invalid_query", "'" + name + "' must be a whole number of at least 1.");
    }
    return value;
  }
}
