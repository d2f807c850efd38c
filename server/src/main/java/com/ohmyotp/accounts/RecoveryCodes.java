package com.ohmyotp.accounts;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jdbi.v3.core.Handle;

/**
 * Recovery codes for two-factor sign-in: ten at a time, 16 characters each (about 79 bits) in
 * groups of four, shown once and kept only as hashes; each signs in once.
 */
final class RecoveryCodes {

  /** How many are issued at once. */
  static final int COUNT = 10;

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789";

  private RecoveryCodes() {}

  /** New codes, as the customer is shown them. */
  static List<String> issue() {
    List<String> codes = new ArrayList<>(COUNT);
    for (int i = 0; i < COUNT; i++) {
      StringBuilder code = new StringBuilder();
      for (int c = 0; c < 16; c++) {
        if (c > 0 && c % 4 == 0) {
          code.append('-');
        }
        code.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
      }
      codes.add(code.toString());
    }
    return codes;
  }

  /** Keeps the account's codes as hashes, in place of any it had. */
  static void replace(Handle h, long accountId, List<String> codes) {
    h.createUpdate("DELETE FROM recovery_codes WHERE account_id = :id")
        .bind("id", accountId)
        .execute();
    var batch =
        h.prepareBatch("INSERT INTO recovery_codes (account_id, code_hash) VALUES (:id, :hash)");
    for (String code : codes) {
      batch.bind("id", accountId).bind("hash", ApiKeys.hash(plain(code))).add();
    }
    batch.execute();
  }

  /** Spends {@code typed} if it is one of the account's unused codes (any case, dashes or not). */
  static boolean take(Handle h, long accountId, String typed, long now) {
    String code = plain(typed);
    if (!code.matches("[a-z0-9]{16}")) {
      return false;
    }
    return h.createUpdate(
                "UPDATE recovery_codes SET used_at = :now WHERE account_id = :id"
                    + " AND code_hash = :hash AND used_at IS NULL")
            .bind("now", now)
            .bind("id", accountId)
            .bind("hash", ApiKeys.hash(code))
            .execute()
        == 1;
  }

  private static String plain(String typed) {
    return typed.strip().toLowerCase(Locale.ROOT).replaceAll("[\\s-]", "");
  }
}
