package com.ohmyotp.upstream;

import com.ohmyotp.api.ApiException;
import com.ohmyotp.ledger.Money;
import java.math.BigDecimal;
import java.net.URI;
import java.util.regex.Pattern;

/** What each field of a provider may be: every check answers a 400 that names the field. */
final class ProviderFields {

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9 _.-]{0,59}");
  private static final BigDecimal MAX_PERCENT = BigDecimal.valueOf(1000);

  private ProviderFields() {}

  static String checkName(String name) {
    if (name == null || name.isBlank()) {
      throw ApiException.badRequest("missing_field", "Field 'name' is required.");
    }
    if (!NAME.matcher(name.strip()).matches()) {
      throw ApiException.badRequest(
          "invalid_field",
          "A provider's name is 1 to 60 letters, digits, spaces, '.', '_' or '-'.");
    }
    return name.strip();
  }

  static String checkUrl(String url) {
    if (url == null || url.isBlank()) {
      throw ApiException.badRequest("missing_field", "Field 'url' is required.");
    }
    try {
      URI uri = URI.create(url.strip());
      if (url.length() <= 500
          && uri.getHost() != null
          && uri.getUserInfo() == null
          && ("https".equals(uri.getScheme()) || "http".equals(uri.getScheme()))) {
        return uri.toString();
      }
    } catch (IllegalArgumentException e) {
      // Refused below, as every other malformed URL.
    }
    throw ApiException.badRequest(
        "invalid_field",
        "Field 'url' must be the provider's http(s) URL of handler_api.php, without credentials.");
  }

  static String checkKey(String key) {
    if (key == null || key.isBlank()) {
      throw ApiException.badRequest("missing_field", "Field 'api_key' is required.");
    }
    if (key.length() > 500 || key.strip().chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
      throw ApiException.badRequest(
          "invalid_field", "Field 'api_key' must be up to 500 printable characters.");
    }
    return key.strip();
  }

  static Integer checkCountry(Integer country) {
    if (country != null && (country < 0 || country > 9999)) {
      throw ApiException.badRequest(
          "invalid_field", "Field 'country' is the protocol's country id, from 0 to 9999.");
    }
    return country;
  }

  static BigDecimal checkPercent(BigDecimal percent) {
    if (percent.signum() < 0 || percent.compareTo(MAX_PERCENT) > 0 || percent.scale() > 4) {
      throw ApiException.badRequest(
          "invalid_field",
          "Field 'markup_percent' must be from 0 to 1000, with at most 4 decimals.");
    }
    return percent;
  }

  static BigDecimal checkAmount(String field, BigDecimal amount) {
    if (amount.signum() < 0
        || amount.compareTo(Money.MAX_INPUT.amount()) > 0
        || amount.stripTrailingZeros().scale() > 4) {
      throw ApiException.badRequest(
          "invalid_amount",
          "Field '" + field + "' must be from 0 to 1000000000, with at most 4 decimals.");
    }
    return amount;
  }

  static int checkPriority(int priority) {
    if (priority < 0 || priority > 1_000_000) {
      throw ApiException.badRequest(
          "invalid_field", "Field 'priority' must be from 0 to 1000000 (lower is tried first).");
    }
    return priority;
  }
}
