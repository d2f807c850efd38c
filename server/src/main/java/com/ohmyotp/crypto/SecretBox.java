package com.ohmyotp.crypto;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals the secrets the service must be able to read back (a provider's API key) before they go
 * into the database: AES-256-GCM under a key derived from the node's secrets key, which lives in
 * configuration or a private file of the data folder, never in the database. A stolen database dump
 * alone reveals none of them; a tampered value fails to open instead of opening to garbage.
 */
public final class SecretBox {

  private static final String VERSION = "v1:";
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final SecretKeySpec key;

  /** A box whose key is derived from {@code secretsKey} (any length, at least 16 characters). */
  public SecretBox(String secretsKey) {
    if (secretsKey == null || secretsKey.length() < 16) {
      throw new IllegalArgumentException("the secrets key must have at least 16 characters");
    }
    try {
      // A fixed label keeps this key apart from any other use of the same configured secret.
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update("ohmyotp secret box v1\n".getBytes(StandardCharsets.UTF_8));
      this.key = new SecretKeySpec(sha.digest(secretsKey.getBytes(StandardCharsets.UTF_8)), "AES");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code secret} sealed: {@code v1:<base64 of nonce, ciphertext and tag>}. */
  public String seal(String secret) {
    byte[] nonce = new byte[NONCE_BYTES];
    RANDOM.nextBytes(nonce);
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
      byte[] sealed = cipher.doFinal(secret.getBytes(StandardCharsets.UTF_8));
      byte[] all = new byte[nonce.length + sealed.length];
      System.arraycopy(nonce, 0, all, 0, nonce.length);
      System.arraycopy(sealed, 0, all, nonce.length, sealed.length);
      return VERSION + Base64.getEncoder().encodeToString(all);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot seal a secret", e);
    }
  }

  /**
   * The secret a {@link #seal} made.
   *
   * @throws IllegalStateException when it was sealed under another key or altered
   */
  public String open(String sealed) {
    if (sealed == null || !sealed.startsWith(VERSION)) {
      throw new IllegalStateException("not a sealed secret");
    }
    byte[] all = Base64.getDecoder().decode(sealed.substring(VERSION.length()));
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, all, 0, NONCE_BYTES));
      return new String(
          cipher.doFinal(all, NONCE_BYTES, all.length - NONCE_BYTES), StandardCharsets.UTF_8);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(
          "a sealed secret does not open: OHMYOTP_SECRETS_KEY is not the one it was sealed with",
          e);
    }
  }
}
