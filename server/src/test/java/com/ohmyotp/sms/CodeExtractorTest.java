package com.ohmyotp.sms;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The extraction rules one by one, on texts kept apart from the corpus in {@code corpus/sms} (which
 * {@link ExtractionCorpusTest} reads whole).
 */
class CodeExtractorTest {

  private final CodeExtractor extractor = new CodeExtractor();

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        // the shapes of a code
        "<Uber> Your code: 5384|5384",
        "123-456|123456",
        "G-123456|123456",
        "Your code is 123 456|123456",
        "Your code is 1234 5678|12345678",
        "Your verification code is 12345678|12345678",
        "code:4821|4821",
        "FB-48213 is your Facebook code|48213",
        "Your code is ١٢٣٤٥٦|123456",
        "認証コード：１２３４５６|123456",
        "รหัสOTP482913สำหรับเข้าสู่ระบบ|482913",
        // before or after the keyword, near other numbers
        "482913 is your verification code.|482913",
        "Your code for order 55123 is 482913|482913",
        "OTP for your payment of Rs. 2,450.00 at FLIPKART is 739201. Valid for 10 minutes.|739201",
        "Use 604118 to confirm the transfer of $2,500.00 to account ending 7788.|604118",
        "Your Chase code is 12345678. Call 1-800-935-9935 if you did not ask for it.|12345678",
        // a masked card number in any mix of x, * and •, never the code
        "Card X*4821 used. Your verification code is 773311|773311",
        "Karte •x5190: Ihr Bestätigungscode lautet 604211|604211",
        "Your code 918273 confirms the payment with card **9921|918273",
        "Your login code: 8841. Sent 2026-05-15 14:32 UTC|8841",
        "<#> Your Acme code is 552901\\nFA+9qCX9VSu|552901",
        "<#> 1234 is your code for Acme 12aB34cD56e|1234",
        "Telegram code: 55231\\n\\nYou can also tap on this link to log in:\\nhttps://t.me/login/55231|55231",
        "Your code for your Revolut account is 839201|839201",
        "Votre code de connexion est 7281. Il expire dans 10 minutes.|7281",
        "Dein Bestätigungscode für die Bestellung lautet 662013|662013",
        "【京东】验证码 482913，订单号123456789012的支付验证，5分钟内有效。|482913",
        // letters and digits, where the text presents a code, case kept
        "Your X verification code is 91bgz2xq. Do not share it.|91bgz2xq",
        "Steam Guard code: F7K2Q|F7K2Q",
        "[TikTok] A4B7C9 is your verification code, valid for 5 minutes.|A4B7C9",
        "Your Steam Guard code is KXJQP. If you did not try to log in, change your password.|KXJQP",
        "Tu código de verificación es: 7HQ2ZP|7HQ2ZP",
        // right-to-left text with its marks, and new languages
        "קוד האימות שלך הוא: \u200F482913\u200F|482913",
        "کد تایید شما: ‎۴۸۲۹۱۳‎|482913",
        "Twój kod weryfikacyjny to 482913. Nie udostępniaj go nikomu.|482913",
        "Ο κωδικός επαλήθευσης είναι 482913|482913",
        "Msimbo wako wa uthibitisho ni 482913|482913",
      })
  void findsTheCode(String text, String code) {
    assertThat(extractor.extract(text.replace("\\n", "\n"))).contains(code);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "   ",
        "Your package is on its way!",
        // amounts and prices
        "Your order total is $1234.56, thank you",
        "Payment of 4500 USD received. Thank you!",
        "Your balance is 12,450.00 EUR",
        "R$ 1.234,56 debitado da sua conta",
        // phone numbers
        "Call us at 415-237-0403 for help",
        "Questions about your code? Call +44 20 7946 0958",
        "Verification help line: (800) 555-0199",
        // dates, times and years
        "Meeting moved to 2026-05-15 at 14:30",
        "Confirm your appointment on May 15, 2026 at 9:30",
        "Your verification visit is on 15.05.2026 um 14.30 Uhr",
        "Security update: we changed our terms in 2025",
        // order and tracking numbers, URLs
        "Save 2500 points and 3000 more on your next visit",
        "Confirm delivery of order 4482913 at https://shop.example.com/o/4482913",
        "Track your parcel 48213 at www.example.com/t/48213 to confirm the delivery slot",
        "Verify your booking 58213 by replying YES",
        // validity periods and promo codes
        "Your code will be valid for 1440 minutes once issued",
        "Use promo code 4410 at checkout for 20% off",
        "Code 2024: 30% off everything this weekend only",
        // two candidates and no way to tell
        "Use 1234 or 5678 to log in",
        "1234 to sign in, 5678 to confirm the payment",
        // words are never codes: dictionary words, brands, links, addresses, hashtags
        "Your verification code is below. Welcome to Spotify!",
        "Verify your account at https://x.com/i/verify/ab12cd34",
        "Confirm your e-mail ab12cd@example.com to finish signing up",
        "Share your code #SAVE2024 with friends",
        "Your flight confirmation: AB12CD. Check in 24 hours before departure.",
        "Your verification code from NETFLIX is on its way",
        "Security notice from GOOGLE about your account",
        "Access denied at door B12C4 for badge holders",
        "Wi-Fi password: Guest2024",
        "Wi-Fi password: cafe7781",
        "Use code WELCOME20 for 20% off your first order",
        "Your booking reference is K7Q2MX. Show it at check-in.",
      })
  void findsNothingWhereThereIsNoCode(String text) {
    assertThat(extractor.extract(text)).isEmpty();
  }

  @Test
  void everyCandidateIsListedForClientsThatChooseThemselves() {
    CodeExtractor.Reading two = extractor.read("1234 to sign in, 5678 to confirm the payment");
    assertThat(two.code()).isEmpty();
    assertThat(two.codes()).containsExactly("1234", "5678");
    CodeExtractor.Reading one = extractor.read("Your code is 482913. Order 5521 ships today.");
    assertThat(one.code()).contains("482913");
    assertThat(one.codes()).containsExactly("482913");
    assertThat(extractor.read("Your package is on its way!").codes()).isEmpty();
  }

  @Test
  void marksOfRightToLeftTextAreNotPartOfAnything() {
    assertThat(CodeExtractor.withoutMarks("\u200F123\u200E456\u2066x\u2069\uFEFF"))
        .isEqualTo("123456x");
    assertThat(CodeExtractor.withoutMarks("plain")).isSameAs("plain");
  }

  @Test
  void digitsOfEveryScriptBecomeAsciiDigits() {
    assertThat(CodeExtractor.asciiDigits("٤٨٢ ९१३ ４８２")).isEqualTo("482 913 482");
    assertThat(CodeExtractor.asciiDigits("plain 123")).isEqualTo("plain 123");
  }
}
