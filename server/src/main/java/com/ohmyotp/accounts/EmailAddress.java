package com.ohmyotp.accounts;

import com.ibm.icu.lang.UCharacter;
import com.ibm.icu.text.SpoofChecker;
import java.text.Normalizer;
import java.util.regex.Pattern;

/**
 * When two e-mail addresses are one person's to the eye. An account is known by its address's
 * {@link #key} (the same address however it was typed: compatibility forms, case, invisible
 * characters, a trailing dot after the domain) and may not share its {@link #skeleton} with another
 * (addresses that look alike: a Cyrillic "а" for a Latin "a", "rn" for "m"; Unicode TR 39).
 */
public final class EmailAddress {

  private static final Pattern SHAPE =
      Pattern.compile("^[^@\\s\\p{Cntrl}]{1,64}@[^@\\s\\p{Cntrl}]{1,255}$");

  /** Format characters (zero-width spaces and joiners, the byte-order mark, soft hyphens). */
  private static final Pattern INVISIBLE = Pattern.compile("\\p{Cf}");

  private static final SpoofChecker CONFUSABLES = new SpoofChecker.Builder().build();

  private EmailAddress() {}

  /** Whether {@code raw} looks like an address at all: something, an at sign, something. */
  public static boolean isWellFormed(String raw) {
    return raw != null && raw.length() <= 320 && SHAPE.matcher(raw.trim()).matches();
  }

  /**
   * The address as an account is found by: NFKC, invisible characters removed, case folded, the
   * domain's trailing dot dropped.
   */
  public static String key(String raw) {
    String visible =
        INVISIBLE.matcher(Normalizer.normalize(raw, Normalizer.Form.NFKC)).replaceAll("");
    String folded = UCharacter.foldCase(visible.trim(), true);
    // Case folding can produce what NFKC would still change (the Kelvin sign, for one).
    String key = Normalizer.normalize(folded, Normalizer.Form.NFKC);
    while (key.endsWith(".")) {
      key = key.substring(0, key.length() - 1);
    }
    return key;
  }

  /** What the address looks like: two addresses that may be taken for each other share it. */
  public static String skeleton(String key) {
    return CONFUSABLES.getSkeleton(key);
  }
}
