package com.ohmyotp.accounts;

import com.password4j.Argon2Function;
import com.password4j.Password;
import com.password4j.types.Argon2;

/** Website passwords, stored only as argon2id hashes (OWASP's minimum parameters). */
public final class Passwords {

  private static final Argon2Function ARGON2ID =
      Argon2Function.getInstance(19 * 1024, 2, 1, 32, Argon2.ID);

  /**
   * A hash of the same cost as every stored one, checked when an email has no account so that the
   * answer takes as long as for one that has. A literal rather than computed: hashing it at
   * start-up cost half a second of every start.
   */
  static final String DECOY =
      "$argon2id$v=19$m=19456,t=2,p=1$Xfg63jXjrYvjrOdXNh/oOg$KYvS0Btamk4fFA6RjPsMCptBM3E95PgcU5WzSjQpt7A";

  /** Letters and digits that cannot be mistaken for one another when read aloud or copied. */
  private static final String ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789";

  private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

  private Passwords() {}

  /** A new random password of 16 characters (about 92 bits), for an operator to hand on. */
  public static String generate() {
    StringBuilder password = new StringBuilder(16);
    for (int i = 0; i < 16; i++) {
      password.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
    }
    return password.toString();
  }

  /**
   * Refuses a password of the wrong length.
   *
   * @throws com.ohmyotp.api.ApiException 400 {@code invalid_password}
   */
  public static void requireAcceptable(String password) {
    if (password == null || password.length() < 8 || password.length() > 200) {
      throw com.ohmyotp.api.ApiException.badRequest(
          "invalid_password", "A password needs 8 to 200 characters.");
    }
  }

  public static String hash(String password) {
    return Password.hash(password).addRandomSalt(16).with(ARGON2ID).getResult();
  }

  public static boolean matches(String password, String hash) {
    return Password.check(password, hash).with(Argon2Function.getInstanceFromHash(hash));
  }
}
