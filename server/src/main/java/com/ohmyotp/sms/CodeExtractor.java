package com.ohmyotp.sms;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the one-time code in a verification SMS.
 *
 * <p>Candidates are runs of 4–8 digits, two groups of 3 or 4 digits split by a space or a dash
 * ({@code 123-456} → {@code 123456}), and a letter prefix with a dash ({@code G-123456} →
 * {@code 123456}, what a person types into the form). A candidate that is part of a longer number,
 * a decimal amount, a price or a percentage is not a code. When several remain, the one nearest a
 * word such as "code" wins; with no such word, only a lone candidate is trusted. A wrong code is
 * worse than none, so anything ambiguous yields empty.
 */
public final class CodeExtractor {

  private static final Pattern CANDIDATE = Pattern.compile(
      "(?<![\\p{L}\\p{N}$€£¥₹.,:/#+-])"          // not glued to a word, amount, time, URL or number
          + "(?:\\p{Lu}{1,3}-)?"                      // G-123456
          + "(\\d{3,4}[- ]\\d{3,4}|\\d{4,8})"
          + "(?![\\p{L}\\p{N}%€£¥₹]|[.,:/-]\\d| \\d)"); // not followed by more digits, a unit or a time

  private static final Pattern KEYWORD = Pattern.compile(
      "code|c[oó]digo|otp|pin|passcode|password|verif|confirm|token|auth|security|"
          + "kod|код|код[уа]|パスコード|認証|验证码|驗證碼|인증",
      Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);

  private static final Pattern CURRENCY_BEFORE = Pattern.compile(
      "(?:\\$|€|£|¥|₹|usd|eur|gbp|rs\\.?|inr)\\s?$", Pattern.CASE_INSENSITIVE);

  private static final int KEYWORD_REACH = 40;

  private record Candidate(String code, int start, int end) {}

  public Optional<String> extract(String text) {
    if (text == null || text.isEmpty()) {
      return Optional.empty();
    }
    List<Candidate> candidates = new ArrayList<>();
    Matcher m = CANDIDATE.matcher(text);
    while (m.find()) {
      String before = text.substring(Math.max(0, m.start() - 5), m.start());
      if (CURRENCY_BEFORE.matcher(before).find()) {
        continue;
      }
      String digits = m.group(1).replaceAll("[- ]", "");
      if (digits.length() < 4 || digits.length() > 8) {
        continue;
      }
      candidates.add(new Candidate(digits, m.start(), m.end()));
    }
    if (candidates.isEmpty()) {
      return Optional.empty();
    }
    List<int[]> keywords = new ArrayList<>();
    Matcher k = KEYWORD.matcher(text.toLowerCase(Locale.ROOT));
    while (k.find()) {
      keywords.add(new int[] {k.start(), k.end()});
    }
    if (keywords.isEmpty()) {
      return candidates.size() == 1 ? Optional.of(candidates.get(0).code()) : Optional.empty();
    }
    Candidate best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (Candidate c : candidates) {
      for (int[] kw : keywords) {
        int distance = c.start() >= kw[1] ? c.start() - kw[1] : kw[0] - c.end();
        if (distance < 0) {
          distance = 0;
        }
        if (distance < bestDistance) {
          bestDistance = distance;
          best = c;
        }
      }
    }
    if (best != null && bestDistance <= KEYWORD_REACH) {
      return Optional.of(best.code());
    }
    return candidates.size() == 1 ? Optional.of(candidates.get(0).code()) : Optional.empty();
  }
}
