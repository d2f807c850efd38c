package com.ohmyotp.inventory;

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

  private final String defaultRegion;
  private final int defaultCountryCode;

  public PhoneNumbers(String defaultRegion) {
    this.defaultRegion = defaultRegion;
    this.defaultCountryCode = UTIL.getCountryCodeForRegion(defaultRegion);
    if (defaultCountryCode == 0) {
      throw new IllegalArgumentException("unknown region " + defaultRegion);
    }
  }

  /** E.164 for any common way of writing a valid number; empty when it is not one. */
  public Optional<String> toE164(String input) {
    if (input == null || input.isBlank() || input.length() > MAX_INPUT_LENGTH) {
      return Optional.empty();
    }
    Optional<String> asWritten = parse(input.trim());
    if (asWritten.isEmpty() && input.trim().chars().allMatch(c -> c >= '0' && c <= '9')) {
      // Numbers outside the default region are shown as bare E.164 digits; accept them back.
      return parse("+" + input.trim());
    }
    return asWritten;
  }

  private Optional<String> parse(String input) {
    try {
      PhoneNumber number = UTIL.parse(input, defaultRegion);
      if (!UTIL.isValidNumber(number)) {
        return Optional.empty();
      }
      return Optional.of(UTIL.format(number, PhoneNumberFormat.E164));
    } catch (NumberParseException e) {
      return Optional.empty();
    }
  }

  /** How the API shows a stored number. */
  public String display(String e164) {
    try {
      PhoneNumber number = UTIL.parse(e164, defaultRegion);
      if (number.getCountryCode() == defaultCountryCode) {
        return UTIL.getNationalSignificantNumber(number);
      }
    } catch (NumberParseException e) {
      // Stored numbers are valid E.164; fall through to the raw digits.
    }
    return e164.startsWith("+") ? e164.substring(1) : e164;
  }
}
