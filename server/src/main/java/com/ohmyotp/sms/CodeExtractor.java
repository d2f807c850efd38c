package com.ohmyotp.sms;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the one-time code in a verification SMS, in any of the thirty-three languages of {@link
 * SmsLexicon}. A wrong code is worse than none, so anything doubtful yields empty; {@link #read}
 * also lists every candidate, for clients that choose themselves. Its rules read one text in order
 * and share its state, hence one class past 300 lines.
 *
 * <p>The rules, in the order they apply:
 *
 * <ol>
 *   <li>The marks that steer right-to-left text and invisible joiners are dropped; digits of any
 *       script (Arabic-Indic, Persian, Bengali, Devanagari, full-width, …) are read as ASCII
 *       digits, and the code is returned in ASCII digits.
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
 *       when it is a year next to a month, or when its sentence is a sale. A word of verification
 *       just before that word makes it a code for that thing: the code, after a colon ({@code code
 *       for your account: 1234}); otherwise a second code ({@code TAN for the transfer 1234}).
 *   <li>The text must speak of verification ("code", "OTP", "验证码", "인증번호", "קוד", …); the code is
 *       the remaining candidate nearest such a word, within {@value #REACH} characters (a year such
 *       as {@code 2025} within {@value #YEAR_REACH}, unless after a colon). When another number is
 *       about as near ({@value #AMBIGUITY_MARGIN} characters), or has a word of verification of its
 *       own ({@code 1234 to sign in, 5678 to confirm the payment}), there is no telling which is
 *       the code: empty. A text that is nothing but a code ({@code 123-456}) is a code too.
 *   <li>With no number for a code, a token of letters and digits is the code where the text
 *       presents it: right after a word of verification ({@code Steam Guard code: F7K2Q}) or right
 *       before one ({@code A4B7C9 is your code}), returned as written, case kept. Letters alone
 *       must be capitals in a text mostly in lower case; lower case needs a digit, and a word with
 *       a number glued on ({@code Sale2024}) is not one. Never in a sale, or after a word for
 *       another kind of reference ({@code flight confirmation: AB12CD}).
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
              Pattern.compile("(?i)(?<![a-z])[x*•]{2,}[\\s-]?\\d{2,6}(?![a-z\\d])"),
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

  /** A token of Latin letters and digits standing alone: a code of letters and digits, perhaps. */
  private static final Pattern ALPHANUMERIC =
      Pattern.compile(
          "(?<![\\p{L}\\p{N}@#/.:_+&=-])([A-Za-z0-9]{4,10})(?![\\p{L}\\p{N}@/_&=-]|\\.\\p{L})");

  /** How far from a word of verification a code of letters and digits may stand. */
  private static final int PRESENTED_REACH = 24;

  /** The small words that link a code to the word naming it, in the languages read. */
  private static final String LINK =
      "(?:is|are|es|é|est|ist|lautet|è|ni|ay|är|jest|je|este|είναι|adalah|ialah|là|это|—|-)";

  /**
   * Between the word and a code after it: a few words at most ("de verificación de X"), ending in a
   * colon, a dash or a linking word ("is", "es", "lautet"), and nothing that ends a sentence.
   */
  private static final Pattern PRESENTED_BEFORE =
      Pattern.compile(
          "[^.!?\\n,;]{0,20}?(?:\\s" + LINK + "\\s*[:：=-]?\\s*|\\s*[:：=-]\\s*)",
          Pattern.UNICODE_CASE | Pattern.CASE_INSENSITIVE);

  /** Between a code and the word after it: "is your", "es tu", "to verify", nothing more. */
  private static final Pattern PRESENTED_AFTER =
      Pattern.compile(
          "\\s+(?:" + LINK + "|to|para|pour|um|per)(?:\\s[^.!?\\n,;:]{0,16})?\\s+",
          Pattern.UNICODE_CASE | Pattern.CASE_INSENSITIVE);

  /** Between the word and a code of letters alone: a linking word, a colon or a dash, no more. */
  private static final Pattern TIGHT_BEFORE =
      Pattern.compile(
          "(?:\\s" + LINK + ")?\\s*[:：=-]?\\s*", Pattern.UNICODE_CASE | Pattern.CASE_INSENSITIVE);

  /** Between a code of letters alone and the word after it: "is your" and no more. */
  private static final Pattern TIGHT_AFTER =
      Pattern.compile("\\s+(?:is your|es tu|é o seu|est votre|ist dein|ist ihr)(?: \\p{L}+)?\\s+");

  /** Words in capitals that name things, not codes. */
  private static final java.util.Set<String> ACRONYMS =
      java.util.Set.of(
          "STEAM", "GUARD", "ADMIN", "EMAIL", "LOGIN", "NEVER", "SHARE", "CLICK", "REPLY", "STOP",
          "HELP", "VISA", "APPLE", "GOOGLE", "PAYPAL", "UBER", "NOTICE", "ALERT", "URGENT",
          "WARNING");

  private record Span(int start, int end, boolean verification) {}

  private record Candidate(String code, int start, int end) {}

  /**
   * What a text holds: {@code code}, the verification code when one is plainly it, and {@code
   * codes}, every number (or presented code of letters and digits) that could be one, in the order
   * of the text, for clients that choose themselves.
   */
  public record Reading(Optional<String> code, List<String> codes) {
    static final Reading NONE = new Reading(Optional.empty(), List.of());
  }

  /** The code in {@code text}, or empty when there is none or it is doubtful. */
  public Optional<String> extract(String text) {
    return read(text).code();
  }

  /** The code in {@code text} and every candidate for it; see {@link Reading}. */
  public Reading read(String text) {
    if (text == null || text.isBlank()) {
      return Reading.NONE;
    }
    String plain = asciiDigits(withoutMarks(text));
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
    boolean speaksOfCodes = words.stream().anyMatch(Span::verification);
    if (candidates.isEmpty()) {
      return speaksOfCodes ? presentedCode(plain, view, lower, words) : Reading.NONE;
    }
    if (!speaksOfCodes) {
      Optional<String> only = nothingButACode(view, candidates);
      return new Reading(only, only.map(List::of).orElse(List.of()));
    }

    List<String> codes = new ArrayList<>();
    List<Candidate> rivals = new ArrayList<>(); // every code in the text, even one named otherwise
    Candidate best = null;
    int bestDistance = Integer.MAX_VALUE;
    int runnerUpDistance = Integer.MAX_VALUE;
    for (Candidate c : candidates) {
      Kind kind = kind(plain, view, lower, c, words);
      if (kind == Kind.NOT_A_CODE) {
        continue;
      }
      int distance = distanceToVerification(c, words);
      if (YEAR.matcher(c.code()).matches() && distance > YEAR_REACH && !afterColon(view, c)) {
        continue; // "in 2025" is a year unless it stands right by the word "code"
      }
      if (distance > REACH) {
        continue;
      }
      if (!codes.contains(c.code())) {
        codes.add(c.code());
      }
      rivals.add(c);
      if (kind == Kind.NAMED_FOR_ANOTHER_THING) {
        continue;
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
    if (best == null) {
      return codes.isEmpty()
          ? presentedCode(plain, view, lower, words)
          : new Reading(Optional.empty(), codes);
    }
    // Two different numbers about as near the word "code" and nothing to tell them apart, or
    // each with a word of its own ("1234 to sign in, 5678 to confirm the payment").
    boolean ambiguous =
        runnerUpDistance - bestDistance < AMBIGUITY_MARGIN || hasRival(best, rivals, words);
    return new Reading(ambiguous ? Optional.empty() : Optional.of(best.code()), codes);
  }

  /** What a candidate is, read with the words around it. */
  private enum Kind {
    CODE,
    /** A code for something the text names ("the TAN for the transfer 428094"): not the one. */
    NAMED_FOR_ANOTHER_THING,
    NOT_A_CODE
  }

  /** Whether another code has a word of verification of its own, so that two codes stand apart. */
  private static boolean hasRival(Candidate best, List<Candidate> rivals, List<Span> words) {
    Span own = nearestVerification(best, words);
    for (Candidate c : rivals) {
      if (c.code().equals(best.code())) {
        continue;
      }
      Span theirs = nearestVerification(c, words);
      boolean onTheirSide =
          theirs != null
              && (c.start() > best.start()
                  ? theirs.start() >= best.end()
                  : theirs.end() <= best.start());
      if (onTheirSide && theirs != own) {
        return true;
      }
    }
    return false;
  }

  private static Span nearestVerification(Candidate c, List<Span> words) {
    Span nearest = null;
    for (Span w : words) {
      if (w.verification() && (nearest == null || distance(w, c) < distance(nearest, c))) {
        nearest = w;
      }
    }
    return nearest;
  }

  private static int distance(Span w, Candidate c) {
    return w.end() <= c.start() ? c.start() - w.end() : Math.max(0, w.start() - c.end());
  }

  private static boolean afterColon(String view, Candidate c) {
    int i = c.start() - 1;
    while (i >= 0 && Character.isWhitespace(view.charAt(i))) {
      i--;
    }
    return i >= 0 && (view.charAt(i) == ':' || view.charAt(i) == '：');
  }

  /**
   * A code of letters and digits, taken only where the text presents it as the code: right after a
   * word of verification ({@code Steam Guard code: F7K2Q}, {@code Your X verification code is
   * 91bgz2xq}) or right before one ({@code [TikTok] A4B7C9 is your code}). Returned as written,
   * case kept. A token of letters alone must be in capitals in a text that is not, so that no word
   * of the text's language is taken; one in lower case must hold a digit.
   */
  private static Reading presentedCode(String plain, String view, String lower, List<Span> words) {
    List<String> found = new ArrayList<>();
    Matcher m = ALPHANUMERIC.matcher(view);
    while (m.find()) {
      String token = m.group(1);
      if (!looksLikeACode(token, plain.replace(token, "")) || isVerificationWord(token)) {
        continue;
      }
      int start = m.start(1);
      int end = m.end(1);
      // Letters alone only right by the word ("code: KXJQP", "code is KXJQP"): further off, a
      // word in capitals is likelier a name ("code from NETFLIX").
      boolean lettersOnly = token.chars().noneMatch(Character::isDigit);
      Pattern before = lettersOnly ? TIGHT_BEFORE : PRESENTED_BEFORE;
      Pattern after = lettersOnly ? TIGHT_AFTER : PRESENTED_AFTER;
      boolean named =
          presentedBefore(lower, start, words, before) && !namesAnotherThing(start, words)
              || presentedAfter(lower, end, words, after);
      Candidate c = new Candidate(token, start, end);
      if (named
          && !SmsLexicon.PROMOTION.occursIn(lower, sentenceStart(view, c), sentenceEnd(view, c))
          && !found.contains(token)) {
        found.add(token);
      }
    }
    return found.size() == 1
        ? new Reading(Optional.of(found.get(0)), found)
        : new Reading(Optional.empty(), found);
  }

  private static boolean looksLikeACode(String token, String plain) {
    boolean digit = false;
    boolean lowerCase = false;
    boolean upperCase = false;
    for (int i = 0; i < token.length(); i++) {
      char ch = token.charAt(i);
      digit |= ch >= '0' && ch <= '9';
      lowerCase |= ch >= 'a' && ch <= 'z';
      upperCase |= ch >= 'A' && ch <= 'Z';
    }
    if (!lowerCase && !upperCase) {
      return false; // digits alone are the other rules' business
    }
    if (digit) {
      // Mixed, but not a word with a number glued on (SALE2024, covid19) or an ordinal (21st).
      return !token.matches("\\p{Lu}?\\p{Ll}{2,}\\d{1,4}|\\d{1,4}(?:st|nd|rd|th|am|pm)");
    }
    // Letters alone: capitals in a text that mostly is not, at least five of them.
    return !lowerCase && token.length() >= 5 && !ACRONYMS.contains(token) && mostlyLowerCase(plain);
  }

  private static boolean mostlyLowerCase(String plain) {
    long lowerCase = plain.chars().filter(Character::isLowerCase).count();
    long upperCase = plain.chars().filter(Character::isUpperCase).count();
    return lowerCase > 2 * upperCase;
  }

  private static boolean isVerificationWord(String token) {
    return !SmsLexicon.VERIFICATION.find(SmsLexicon.lower(token)).isEmpty();
  }

  /** Whether a word for another kind of reference (booking, order, flight) just precedes it. */
  private static boolean namesAnotherThing(int start, List<Span> words) {
    for (Span w : words) {
      if (!w.verification() && w.end() <= start && start - w.end() <= CONTEXT_BEFORE) {
        return true;
      }
    }
    return false;
  }

  /** Whether a word of verification stands just before the token: "code: F7K2Q". */
  private static boolean presentedBefore(
      String lower, int start, List<Span> words, Pattern between) {
    for (Span w : words) {
      if (w.verification()
          && w.end() <= start
          && start - w.end() <= PRESENTED_REACH
          && between.matcher(lower.substring(w.end(), start)).matches()) {
        return true;
      }
    }
    return false;
  }

  /** Whether a word of verification stands just after the token: "A4B7C9 is your code". */
  private static boolean presentedAfter(String lower, int end, List<Span> words, Pattern between) {
    for (Span w : words) {
      if (w.verification()
          && w.start() >= end
          && w.start() - end <= PRESENTED_REACH
          && between.matcher(lower.substring(end, w.start())).matches()) {
        return true;
      }
    }
    return false;
  }

  private static Kind kind(String plain, String view, String lower, Candidate c, List<Span> words) {
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
    Kind kind = Kind.CODE;
    if (nearestBefore != null
        && !nearestBefore.verification()
        && !SmsLexicon.COPULA.occursIn(lower, nearestBefore.end(), c.start())) {
      // "The code for your account: 1234" and "the TAN for the transfer: 1234" name what the code
      // is for; "order 12345" names an order.
      if (!verificationBefore(nearestBefore, from, words)) {
        return Kind.NOT_A_CODE;
      }
      kind =
          lower.substring(nearestBefore.end(), c.start()).matches("[^:：]*[:：]\\s*")
              ? Kind.CODE
              : Kind.NAMED_FOR_ANOTHER_THING;
    }
    String after = view.substring(c.end(), Math.min(view.length(), c.end() + 12));
    if (SmsLexicon.UNIT_AFTER.matcher(after).find()) {
      return Kind.NOT_A_CODE;
    }
    String before = view.substring(Math.max(0, c.start() - 6), c.start());
    if (SmsLexicon.CURRENCY_BEFORE.matcher(before).find()) {
      return Kind.NOT_A_CODE;
    }
    if (c.code().length() == 4
        && YEAR.matcher(c.code()).matches()
        && (SmsLexicon.MONTH.matcher(view.substring(Math.max(0, c.start() - 15), c.start())).find()
            || after.startsWith("年")
            || after.startsWith("년"))) {
      return Kind.NOT_A_CODE;
    }
    return SmsLexicon.PROMOTION.occursIn(lower, sentenceStart(view, c), sentenceEnd(view, c))
        ? Kind.NOT_A_CODE
        : kind;
  }

  /** Whether a word of verification stands shortly before a reference word, in the same clause. */
  private static boolean verificationBefore(Span reference, int from, List<Span> words) {
    for (Span w : words) {
      if (w.verification()
          && w.end() <= reference.start()
          && w.start() >= from
          && reference.start() - w.end() <= 30) {
        return true;
      }
    }
    return false;
  }

  private static int distanceToVerification(Candidate c, List<Span> words) {
    Span nearest = nearestVerification(c, words);
    return nearest == null ? Integer.MAX_VALUE : distance(nearest, c);
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

  /**
   * The text without the marks that steer right-to-left text and the invisible joiners: they sit
   * between the digits of a Hebrew, Persian or Arabic sender's code.
   */
  static String withoutMarks(String text) {
    StringBuilder sb = null;
    for (int i = 0; i < text.length(); i++) {
      char ch = text.charAt(i);
      boolean mark =
          (ch >= '\u200B' && ch <= '\u200F')
              || (ch >= '\u202A' && ch <= '\u202E')
              || (ch >= '\u2066' && ch <= '\u2069')
              || ch == '\uFEFF'
              || ch == '\u061C';
      if (mark && sb == null) {
        sb = new StringBuilder(text.length());
        sb.append(text, 0, i);
      } else if (!mark && sb != null) {
        sb.append(ch);
      }
    }
    return sb == null ? text : sb.toString();
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
