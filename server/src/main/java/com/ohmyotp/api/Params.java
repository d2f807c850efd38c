package com.ohmyotp.api;

import java.util.Optional;

/** Strict parsing of query parameters: anything malformed is a 400, never a guess. */
public final class Params {

  public static final int DEFAULT_LIMIT = 50;
  public static final int MAX_LIMIT = 200;
  private static final int MAX_DIGITS = 18;

  private Params() {}

  /**
   * {@code page}: a whole number ≥ 1, default 1. A page beyond any that rows could fill is a page
   * past the end, answered empty: read as the largest page an {@code int} holds.
   */
  public static int page(String raw) {
    return raw == null ? 1 : (int) Math.min(wholeNumber("page", raw), Integer.MAX_VALUE);
  }

  /** {@code limit}: a whole number ≥ 1, default 50, above 200 clamped to 200. */
  public static int limit(String raw) {
    return raw == null ? DEFAULT_LIMIT : (int) Math.min(wholeNumber("limit", raw), MAX_LIMIT);
  }

  /**
   * A cursor that is a row id ({@code before}), absent when not given: a whole number ≥ 1. One past
   * every row is a cursor before all of them.
   */
  public static Optional<Long> cursor(String name, String raw) {
    return raw == null ? Optional.empty() : Optional.of(wholeNumber(name, raw));
  }

  /**
   * {@code wait}: whole seconds from 0 to {@code max}, default 0. Out of range or not a number is a
   * 400, never clamped: a client asking for longer than the server waits would time out itself.
   */
  public static int seconds(String name, String raw, int max) {
    if (raw == null) {
      return 0;
    }
    if (!raw.matches("[0-9]{1,3}") || Integer.parseInt(raw) > max) {
      throw ApiException.badRequest(
          "invalid_query", "'" + name + "' is a whole number of seconds from 0 to " + max + ".");
    }
    return Integer.parseInt(raw);
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

  /**
   * The one reading of a whole-number parameter: ASCII digits, optionally after a {@code +}, at
   * least 1; more digits than a {@code long} holds read as {@link Long#MAX_VALUE}, for the caller
   * to clamp.
   */
  private static long wholeNumber(String name, String raw) {
    String digits = raw.startsWith("+") ? raw.substring(1) : raw;
    if (digits.isEmpty() || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw notAWholeNumber(name);
    }
    String significant = digits.replaceFirst("^0+(?=.)", "");
    long value = significant.length() > MAX_DIGITS ? Long.MAX_VALUE : Long.parseLong(significant);
    if (value < 1) {
      throw notAWholeNumber(name);
    }
    return value;
  }

  private static ApiException notAWholeNumber(String name) {
    return ApiException.badRequest(
        "invalid_query", "'" + name + "' must be a whole number of at least 1.");
  }
}
