package com.ohmyotp.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.PhoneNumberUtil.PhoneNumberFormat;
import com.google.i18n.phonenumbers.PhoneNumberUtil.PhoneNumberType;
import com.google.i18n.phonenumbers.Phonenumber.PhoneNumber;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PhoneNumbersTest {

  private static final PhoneNumberUtil UTIL = PhoneNumberUtil.getInstance();

  @Test
  void everyNumberOfACountryCallingCodeHasACountryAndOnlyInternationalServicesHaveNone() {
    assertThat(PhoneNumbers.country("+13026873874")).contains("US");
    assertThat(PhoneNumbers.country("+447400123456")).contains("GB");
    assertThat(PhoneNumbers.country("+16135550123")).as("a Canadian number").contains("CA");
    // A test range no plan accepts belongs to the main country of its calling code.
    assertThat(PhoneNumbers.country("+12125550100")).contains("US");
    assertThat(PhoneNumbers.country("+4930000")).contains("DE");
    assertThat(PhoneNumbers.country("+80012345678")).as("an international freephone").isEmpty();
    assertThat(PhoneNumbers.country("not a number")).isEmpty();
  }

  @Test
  void aNumberOfTheDefaultRegionIsShownAsItsNationalDigitsAndAnyOtherAsE164Digits() {
    PhoneNumbers us = new PhoneNumbers("US");
    assertThat(us.display("+13026873874")).isEqualTo("3026873874");
    assertThat(us.display("+447400123456")).isEqualTo("447400123456");
    assertThat(us.toE164("3026873874")).contains("+13026873874");
    assertThat(us.toE164(us.display("+447400123456"))).contains("+447400123456");
  }

  /** The display without parsing agrees with libphonenumber's own for every region's numbers. */
  @ParameterizedTest
  @ValueSource(strings = {"US", "GB", "IT", "RU", "DE", "BR", "IN", "CI"})
  void theDisplayIsTheNationalSignificantNumberLibphonenumberFinds(String defaultRegion) {
    PhoneNumbers phones = new PhoneNumbers(defaultRegion);
    int defaultCode = UTIL.getCountryCodeForRegion(defaultRegion);
    List<PhoneNumber> examples = new ArrayList<>();
    for (String region : UTIL.getSupportedRegions()) {
      for (PhoneNumberType type :
          new PhoneNumberType[] {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE}) {
        PhoneNumber example = UTIL.getExampleNumberForType(region, type);
        if (example != null) {
          examples.add(example);
        }
      }
    }
    assertThat(examples).hasSizeGreaterThan(400);
    for (PhoneNumber number : examples) {
      String e164 = UTIL.format(number, PhoneNumberFormat.E164);
      String expected =
          number.getCountryCode() == defaultCode
              ? UTIL.getNationalSignificantNumber(number)
              : e164.substring(1);
      assertThat(phones.display(e164)).as(e164).isEqualTo(expected);
    }
  }
}
