package com.ohmyotp.accounts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PasswordsTest {

  @Test
  void aHashMatchesItsPasswordOnly() {
    String hash = Passwords.hash("correct horse battery");
    assertTrue(Passwords.matches("correct horse battery", hash));
    assertFalse(Passwords.matches("correct horse battery!", hash));
  }

  /**
   * The sign-in of an unknown email must cost what a real check costs, whatever the parameters
   * become.
   */
  @Test
  void theDecoyHasTheParametersOfEveryNewHash() {
    assertEquals(parameters(Passwords.hash("any password at all")), parameters(Passwords.DECOY));
    assertTrue(Passwords.matches("no account has this password", Passwords.DECOY));
  }

  private static String parameters(String hash) {
    // $argon2id$v=19$m=...,t=...,p=...$salt$digest: everything before the salt, and the lengths.
    String[] parts = hash.split("\\$");
    return String.join("$", parts[1], parts[2], parts[3])
        + " salt "
        + parts[4].length()
        + " digest "
        + parts[5].length();
  }
}
