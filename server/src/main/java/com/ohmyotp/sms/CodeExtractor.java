package com.ohmyotp.sms;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the one-time code in a verification SMS, in any of the seventeen languages of {@link
 * SmsLexicon}. A wrong code is worse than none, so anything doubtful yields empty. Its rules read
 * one text in order and share its state, hence one class of just over 300 lines.
 *
 * <p>The rules, in the order they apply:
 *
 * <ol>
 *   <li>Digits of any script (Arabic-Indic, Devanagari, full-width, …) are read as ASCII digits,
 *       and the code is returned in ASCII digits.
 *   <li>What is never a code is set aside first: URLs, e-mail addresses, phone numbers, dates,
 *       times, prices and masked card numbers, and the app hash at the end of an SMS Retriever text
 *       ({@code <#> … FA+9qCX9VSu}).
 *   <li>A candidate is 4 to 8 digits standing alone: not glued to letters of a spaced script, to
 *       more digits, to a decimal point or to a unit. Two groups of 3 or 4 digits split by a space
 *       or a dash are one candidate, returned without the separator ({@code 123 456} → {@code
 *       123456}). A prefix of one to three capital letters and a dash is dropped, because the form
 *       the code is typed into wants the digits only ({@code G-123456} → {@code 123456}).
 *   <li>A candidate is not a code when the nearest word before it names another kind of number
 *       (order, parcel, account, card, amount, appointment, a phone number to call…), when a unit
 *       or currency follows it ({@code 10 minutes}, {@code 500 TL}), when a currency precedes it,
 *       when it is a year next to a month, or when its sentence is a sale.
 *   <li>The text must speak of verification ("code", "OTP", "验证码", "인증번호", …); the code is the
 *       remaining candidate nearest such a word, within {@value #REACH} characters (a year such as
 *       {@code 2025} within {@value #YEAR_REACH}). When another number is about as near ({@value
 *       #AMBIGUITY_MARGIN} characters), there is no telling which is the code: empty. A text that
 *       is nothing but a code ({@code 123-456}) is a code too.
 * </ol>
 */
public final class CodeExtractor {

  private static final int REACH = 60;
  private static final int YEAR_REACH = 15;
  private static final int AMBIGUITY_MARGIN = 10;
  private static final int CONTEXT_BEFORE = 40;
  private static final char SET_ASIDE = '□';

  private static final Pattern CANDIDATE =
      Pattern.compile(
          // Thai and Chinese senders glue "OTP" to the code: รหัสOTP123456
          "(?:(?<=(?i:otp|pin))|(?<![\\p{IsLatin}\\p{IsCyrillic}\\p{IsGreek}\\p{N}$€£¥₹.,/#+*•_@-]))"
              + "(?:\\p{Lu}{1,3}-)?"
              + "(\\d{3,4}[- ]\\d{3,4}|\\d{4,8})"
              + "(?![\\p{IsLatin}\\p{IsCyrillic}\\p{IsGreek}\\p{N}%]|[.,:/-]?\\d)");

  /**
   * What is never a code, each with what a text must hold for it to match at all: most texts hold
   * no '@', no '+', no year sign, and the check of a character is a fraction of a search.
   */
  private record NeverCode(Pattern pattern, java.util.function.Predicate<String> possibleIn) {
    static NeverCode anywhere(Pattern pattern) {
      return new NeverCode(pattern, lower -> true);
    }

    static NeverCode ifAny(Pattern pattern, String... markers) {
      return new NeverCode(
          pattern,
          lower -> {
            for (String m : markers) {
              if (lower.contains(m)) {
                return true;
              }
            }
            return false;
          });
    }
  }

  private static final List<NeverCode> NEVER_CODES =
      List.of(
          // URLs and e-mail addresses
          NeverCode.ifAny(Pattern.compile("(?i)\\b(?:https?://|www\\.)\\S+"), "http", "www."),
          NeverCode.ifAny(Pattern.compile("(?i)\\b[\\w-]+(?:\\.[\\w-]+)+/\\S*"), "/"),
          NeverCode.ifAny(Pattern.compile("[\\w.+-]+@[\\w-]+(?:\\.[\\w-]+)+"), "@"),
          // Phone numbers: international, with an area code in brackets, or North American 3-3-4
          NeverCode.ifAny(Pattern.compile("\\+\\d[\\d\\s().-]{5,}\\d"), "+"),
          NeverCode.ifAny(Pattern.compile("\\(\\d{2,5}\\)\\s?\\d{2,4}[\\s.-]?\\d{3,4}"), "("),
          NeverCode.ifAny(Pattern.compile("\\b\\d{3}[.-]\\d{3}[.-]\\d{4}\\b"), ".", "-"),
          // Dates and times
          NeverCode.ifAny(
              Pattern.compile("\\b\\d{1,4}[./-]\\d{1,2}(?:[./-]\\d{1,4})?\\b"), ".", "/", "-"),
          NeverCode.ifAny(
              Pattern.compile("\\d{2,4}\\s?[年년]\\s?\\d{1,2}\\s?[月월](?:\\s?\\d{1,2}\\s?[日일])?"),
              "年",
              "년"),
          NeverCode.ifAny(Pattern.compile("\\d{1,2}\\s?[月월]\\s?\\d{1,2}\\s?[日일号號]"), "月", "월"),
          NeverCode.ifAny(
              Pattern.compile("(?i)\\b\\d{1,2}[:h]\\d{2}(?::\\d{2})?(?:\\s?[ap]\\.?m\\.?)?"),
              ":",
              "h"),
          NeverCode.ifAny(Pattern.compile("(?i)\\b\\d{1,2}\\.\\d{2}\\s?uhr\\b"), "uhr"),
          // Street addresses: 1450 Ocean Ave, 221 Baker Street
          NeverCode.anywhere(
              Pattern.compile(
                  "\\b\\d{1,6}\\s+(?:\\p{Lu}[\\p{L}.'-]*\\s+){1,3}(?:St|Street|Ave|Avenue|Rd|Road"
                      + "|Blvd|Boulevard|Lane|Ln|Dr|Drive|Way|Pl|Place|Ct|Court|Sq|Square)\\b\\.?")),
          // Masked card numbers: ****1234, XX1234, •••• 1234
          new NeverCode(
              Pattern.compile("(?i)(?<![a-z])[x*•]{2,}[\\s-]?\\d{2,6}"),
              CodeExtractor::twoMaskCharacters));

  /** Whether two of x, * and • stand side by side, in any mix: what a masked number starts with. */
  private static boolean twoMaskCharacters(String lower) {
    for (int i = 0; i + 1 < lower.length(); i++) {
      if (isMask(lower.charAt(i)) && isMask(lower.charAt(i + 1))) {
        return true;
      }
    }
    return false;
  }

  private static boolean isMask(char c) {
    return c == 'x' || c == '*' || c == '•';
  }

  /** Groups of digits split by spaces, dots or dashes, long enough to be a phone number. */
  private static final Pattern DIGIT_GROUPS =
      Pattern.compile("\\d{1,5}(?:[\\s.-]{1,2}\\d{1,5}){2,}");

  private static final Pattern RETRIEVER_HASH = Pattern.compile("[A-Za-z0-9+/]{11}\\s*$");

  private static final Pattern YEAR = Pattern.compile("(?:19|20)\\d\\d");

  private record Span(int start, int end, boolean verification) {}

  private record Candidate(String code, int start, int end) {}

  /** The code in {@code text}, or empty when there is none or it is doubtful. */
  public Optional<String> extract(String text) {
    if (text == null || text.isBlank()) {
      return Optional.empty();
    }
    String plain = asciiDigits(text);
    String view = setAside(plain);
    String lower = SmsLexicon.lower(view);

    List<Span> lookalikes = spans(SmsLexicon.LOOKALIKES, lower, false);
    List<Span> words = new ArrayList<>(lookalikes);
    words.addAll(spans(SmsLexicon.OTHER_NUMBERS, lower, false));
    for (Span keyword : spans(SmsLexicon.VERIFICATION, lower, true)) {
      if (lookalikes.stream()
          .noneMatch(l -> l.start() < keyword.end() && keyword.start() < l.end())) {
        words.add(keyword);
      }
    }
    List<Candidate> candidates = candidates(view);
    if (candidates.isEmpty()) {
      return Optional.empty();
    }
    if (words.stream().noneMatch(Span::verification)) {
      return nothingButACode(view, candidates);
    }

    Candidate best = null;
    int bestDistance = Integer.MAX_VALUE;
    int runnerUpDistance = Integer.MAX_VALUE;
    for (Candidate c : candidates) {
      if (!isCode(plain, view, lower, c, words)) {
        continue;
      }
      int distance = distanceToVerification(c, words);
      if (YEAR.matcher(c.code()).matches() && distance > YEAR_REACH) {
        continue; // "in 2025" is a year unless it stands right by the word "code"
      }
      if (distance < bestDistance) {
        if (best != null && !best.code().equals(c.code())) {
          runnerUpDistance = bestDistance;
        }
        best = c;
        bestDistance = distance;
      } else if (!best.code().equals(c.code())) {
        runnerUpDistance = Math.min(runnerUpDistance, distance);
      }
    }
    if (best == null || bestDistance > REACH) {
      return Optional.empty();
    }
    // Two different numbers about as near the word "code" and nothing to tell them apart.
    return runnerUpDistance - bestDistance < AMBIGUITY_MARGIN
        ? Optional.empty()
        : Optional.of(best.code());
  }

  private static boolean isCode(
      String plain, String view, String lower, Candidate c, List<Span> words) {
    // Words before an earlier number belong to that number, not to this one.
    int from = Math.max(0, c.start() - CONTEXT_BEFORE);
    for (int i = c.start() - 1; i >= from; i--) {
      if (Character.isDigit(plain.charAt(i))) {
        from = i + 1;
        break;
      }
    }
    Span nearestBefore = null;
    for (Span w : words) {
      if (w.end() <= c.start()
          && w.end() > from
          && (nearestBefore == null
              || w.end() > nearestBefore.end()
              || (w.end() == nearestBefore.end() && !w.verification()))) {
        nearestBefore = w;
      }
    }
    // "Order 12345" is an order number, but in "the code for your account is 12345" the
    // reference word names what the code is for.
    if (nearestBefore != null
        && !nearestBefore.verification()
        && !SmsLexicon.COPULA.occursIn(lower, nearestBefore.end(), c.start())) {
      return false;
    }
    String after = view.substring(c.end(), Math.min(view.length(), c.end() + 12));
    if (SmsLexicon.UNIT_AFTER.matcher(after).find()) {
      return false;
    }
    String before = view.substring(Math.max(0, c.start() - 6), c.start());
    if (SmsLexicon.CURRENCY_BEFORE.matcher(before).find()) {
      return false;
    }
    if (c.code().length() == 4
        && YEAR.matcher(c.code()).matches()
        && (SmsLexicon.MONTH.matcher(view.substring(Math.max(0, c.start() - 15), c.start())).find()
            || after.startsWith("年")
            || after.startsWith("년"))) {
      return false;
    }
    return !SmsLexicon.PROMOTION.occursIn(lower, sentenceStart(view, c), sentenceEnd(view, c));
  }

  private static int distanceToVerification(Candidate c, List<Span> words) {
    int best = Integer.MAX_VALUE;
    for (Span w : words) {
      if (w.verification()) {
        int distance =
            w.end() <= c.start() ? c.start() - w.end() : Math.max(0, w.start() - c.end());
        best = Math.min(best, distance);
      }
    }
    return best;
  }

  /** A text with no word of verification counts only if it is the code and little else. */
  private static Optional<String> nothingButACode(String view, List<Candidate> candidates) {
    if (candidates.size() != 1) {
      return Optional.empty();
    }
    Candidate only = candidates.get(0);
    String rest = view.substring(0, only.start()) + view.substring(only.end());
    long letters = rest.codePoints().filter(Character::isLetter).count();
    boolean digits = rest.codePoints().anyMatch(Character::isDigit);
    return letters <= 12 && !digits ? Optional.of(only.code()) : Optional.empty();
  }

  private static int sentenceStart(String view, Candidate c) {
    for (int i = c.start() - 1; i >= 0; i--) {
      if (isSentenceEnd(view.charAt(i))) {
        return i + 1;
      }
    }
    return 0;
  }

  private static int sentenceEnd(String view, Candidate c) {
    for (int i = c.end(); i < view.length(); i++) {
      if (isSentenceEnd(view.charAt(i))) {
        return i;
      }
    }
    return view.length();
  }

  private static boolean isSentenceEnd(char ch) {
    return ch == '.' || ch == '!' || ch == '?' || ch == '\n' || ch == '。' || ch == '！' || ch == '？';
  }

  private static List<Candidate> candidates(String view) {
    List<Candidate> candidates = new ArrayList<>();
    Matcher m = CANDIDATE.matcher(view);
    while (m.find()) {
      String digits = m.group(1).replace(" ", "").replace("-", "");
      if (digits.length() >= 4 && digits.length() <= 8) {
        candidates.add(new Candidate(digits, m.start(), m.end()));
      }
    }
    return candidates;
  }

  private static List<Span> spans(SmsLexicon.Words words, String lower, boolean verification) {
    List<Span> spans = new ArrayList<>();
    for (int[] found : words.find(lower)) {
      spans.add(new Span(found[0], found[1], verification));
    }
    return spans;
  }

  /** The text with everything that is never a code overwritten, so positions stay the same. */
  private static String setAside(String plain) {
    char[] view = plain.toCharArray();
    String lower = plain.toLowerCase(java.util.Locale.ROOT);
    for (NeverCode never : NEVER_CODES) {
      if (!never.possibleIn().test(lower)) {
        continue;
      }
      Matcher m = never.pattern().matcher(plain);
      while (m.find()) {
        blank(view, m.start(), m.end());
      }
    }
    Matcher groups = DIGIT_GROUPS.matcher(plain);
    while (groups.find()) {
      if (groups.group().chars().filter(Character::isDigit).count() >= 9) {
        blank(view, groups.start(), groups.end());
      }
    }
    if (plain.contains("<#>")) {
      Matcher hash = RETRIEVER_HASH.matcher(plain);
      if (hash.find()) {
        blank(view, hash.start(), hash.end());
      }
    }
    return new String(view);
  }

  private static void blank(char[] view, int start, int end) {
    for (int i = start; i < end; i++) {
      if (!Character.isWhitespace(view[i])) {
        view[i] = SET_ASIDE;
      }
    }
  }

  /** Every decimal digit, whatever its script, as its ASCII digit; one char for one char. */
  static String asciiDigits(String text) {
    StringBuilder sb = null;
    for (int i = 0; i < text.length(); i++) {
      char ch = text.charAt(i);
      if (ch > 0x7f && Character.isDigit(ch)) {
        if (sb == null) {
          sb = new StringBuilder(text);
        }
        sb.setCharAt(i, (char) ('0' + Character.digit(ch, 10)));
      }
    }
    return sb == null ? text : sb.toString();
  }
}
