package com.ohmyotp.sms;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CodeExtractorTest {

  private final CodeExtractor extractor = new CodeExtractor();

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "<Uber> Your code: 5384|5384",
      "<Uber> Your code: 5384. Never share this code. Reply STOP ALL to +1 415-237-0403 to unsubscribe.|5384",
      "123-456|123456",
      "G-123456|123456",
      "G-123456 is your Google verification code.|123456",
      "Your verification code is 839201|839201",
      "Your code is 123 456|123456",
      "Walmart: Your verification code is 482913. It expires in 10 minutes.|482913",
      "PayPal: Your security code is: 604118. Your code expires in 10 minutes. Please don't reply.|604118",
      "Telegram code: 55231\\n\\nYou can also tap on this link to log in:\\nhttps://t.me/login/55231|55231",
      "Your WhatsApp code: 123-456\\n\\nDon't share this code with others|123456",
  })
  void findsTheCode(String text, String code) {
    assertThat(extractor.extract(text.replace("\\n", "\n"))).contains(code);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "",
      "Your package is on its way!",
      "Your order total is $1234.56, thank you",
      "Call us at 415-237-0403 for help",
      "Meeting moved to 2026-05-15 at 14:30",
      "Save 2500 points and 3000 more on your next visit",
  })
  void findsNothingWhereThereIsNoCode(String text) {
    assertThat(extractor.extract(text)).isEmpty();
  }
}
