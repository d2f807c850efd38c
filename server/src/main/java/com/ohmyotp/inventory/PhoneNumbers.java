package com.ohmyotp.inventory;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.PhoneNumberUtil.PhoneNumberFormat;
import com.google.i18n.phonenumbers.Phonenumber.PhoneNumber;
import java.util.Optional;

/**
 * Phone numbers as the API shows them ({@code 3026873874}: national digits in the default region,
 * E.164 digits elsewhere) and as they are stored (E.164, {@code +13026873874}).
 */
public final class PhoneNumbers {

  private static final PhoneNumberUtil UTIL = PhoneNumberUtil.getInstance();
  private static final int MAX_INPUT_LENGTH = 40;

  /** Inputs whose reading is kept: about 5 MB, the numbers of many customers at once. */
  private static final int REMEMBERED_INPUTS = 20_000;

  private final String defaultRegion;
  private final String defaultCountryDigits;
  // Reading a number costs tens of microseconds of pattern matching, and the same numbers come
  // back again and again (re-rent checks, inbound SMS): a reading depends on the input alone.
  private final Cache<String, Optional<String>> readings =
      Caffeine.newBuilder().maximumSize(REMEMBERED_INPUTS).executor(Runnable::run).build();

  public PhoneNumbers(String defaultRegion) {
    this.defaultRegion = defaultRegion;
    int countryCode = UTIL.getCountryCodeForRegion(defaultRegion);
    if (countryCode == 0) {
      throw new IllegalArgumentException("unknown region " + defaultRegion);
    }
    this.defaultCountryDigits = String.valueOf(countryCode);
  }

  /** E.164 for any common way of writing a valid number; empty when it is not one. */
  public Optional<String> toE164(String input) {
    if (input == null || input.isBlank() || input.length() > MAX_INPUT_LENGTH) {
      return Optional.empty();
    }
    return readings.get(input, this::read);
  }

  private Optional<String> read(String input) {
    Optional<String> asWritten = parse(input.trim());
    if (asWritten.isEmpty() && input.trim().chars().allMatch(c -> c >= '0' && c <= '9')) {
      // Numbers outside the default region are shown as bare E.164 digits; accept them back.
      return parse("+" + input.trim());
    }
    return asWritten;
  }

  /**
   * E.164 for a number written as in {@code region} (ISO 3166, for national formats) or with its
   * country code; empty when it is not a valid number.
   */
  public static Optional<String> toE164(String input, String region) {
    if (input == null || input.isBlank() || input.length() > MAX_INPUT_LENGTH) {
      return Optional.empty();
    }
    return parse(input.trim(), region);
  }

  /** Whether {@code region} is an ISO 3166 two-letter code that has phone numbers. */
  public static boolean isRegion(String region) {
    return UTIL.getSupportedRegions().contains(region);
  }

  private Optional<String> parse(String input) {
    return parse(input, defaultRegion);
  }

  private static Optional<String> parse(String input, String region) {
    try {
      PhoneNumber number = UTIL.parse(input, region);
      if (!UTIL.isValidNumber(number)) {
        return Optional.empty();
      }
      return Optional.of(UTIL.format(number, PhoneNumberFormat.E164));
    } catch (NumberParseException e) {
      return Optional.empty();
    }
  }

  /**
   * How the API shows a stored number. Country calling codes are prefix-free (ITU-T E.164), so a
   * stored number is in the default region's code exactly when its digits start with that code, and
   * the digits after it are its national significant number. No parsing, then: every listing shows
   * a number per row.
   */
  public String display(String e164) {
    String digits = e164.startsWith("+") ? e164.substring(1) : e164;
    return digits.length() > defaultCountryDigits.length()
            && digits.startsWith(defaultCountryDigits)
        ? digits.substring(defaultCountryDigits.length())
        : digits;
  }

  /**
   * A number as a person reads and types it.
   *
   * @param callingCode {@code +1}
   * @param national the national significant number, digits only ({@code 2125550100}): what a
   *     sign-up form asks for once its country is chosen
   * @param international for reading: {@code +1 212-555-0100}
   */
  public record Written(String callingCode, String national, String international) {}

  /** How {@code e164} is read and typed; numbers no plan knows keep their digits as they are. */
  public static Written written(String e164) {
    try {
      PhoneNumber number = UTIL.parse(e164, "ZZ");
      return new Written(
          "+" + number.getCountryCode(),
          UTIL.getNationalSignificantNumber(number),
          UTIL.format(number, PhoneNumberUtil.PhoneNumberFormat.INTERNATIONAL));
    } catch (NumberParseException e) {
      return new Written("", e164.replace("+", ""), e164);
    }
  }

  /**
   * The country of a stored number as its ISO 3166 two-letter code ({@code US} for {@code
   * +13026873874}). A number no region's plan accepts (a test range such as {@code +1 555 01xx}, or
   * a block newer than the metadata) belongs to the main country of its calling code. Empty for
   * numbers that belong to no one country (international services) or cannot be read.
   */
  public static Optional<String> country(String e164) {
    try {
      PhoneNumber number = UTIL.parse(e164, "ZZ");
      String region = UTIL.getRegionCodeForNumber(number);
      if (region == null) {
        region = UTIL.getRegionCodeForCountryCode(number.getCountryCode());
      }
      return region.equals("ZZ") || region.equals("001") ? Optional.empty() : Optional.of(region);
    } catch (NumberParseException e) {
      return Optional.empty();
    }
  }
}
