package com.ohmyotp.gateways;

import com.ohmyotp.api.ApiException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** The keyed hashes senders sign with, and the refusals of a post that does not match. */
final class Signatures {

  private Signatures() {}

  // Every post is checked with its gateway's key: a keyed Mac is made once per key and copied for
  // each check, instead of looked up and keyed again.
  private static final com.github.benmanes.caffeine.cache.Cache<String, Mac> KEYED =
      com.github.benmanes.caffeine.cache.Caffeine.newBuilder()
          .expireAfterAccess(java.time.Duration.ofMinutes(10))
          .maximumSize(10_000)
          .executor(Runnable::run)
          .build();

  static byte[] hmac(String algorithm, String secret, byte[] data) {
    Mac keyed = KEYED.get(algorithm + '\0' + secret, k -> newMac(algorithm, secret));
    try {
      return ((Mac) keyed.clone()).doFinal(data);
    } catch (CloneNotSupportedException e) {
      return newMac(algorithm, secret).doFinal(data);
    }
  }

  private static Mac newMac(String algorithm, String secret) {
    try {
      Mac mac = Mac.getInstance(algorithm);
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), algorithm));
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(algorithm + " is in every JVM", e);
    }
  }

  static byte[] hmac(String algorithm, String secret, String data) {
    return hmac(algorithm, secret, data.getBytes(StandardCharsets.UTF_8));
  }

  static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }

  static String base64(byte[] bytes) {
    return Base64.getEncoder().encodeToString(bytes);
  }

  static String md5Hex(String data) {
    try {
      return hex(MessageDigest.getInstance("MD5").digest(data.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("MD5 is in every JVM", e);
    }
  }

  /** Compares in constant time; a missing value never matches. */
  static boolean same(String presented, String expected) {
    return presented != null
        && MessageDigest.isEqual(
            presented.getBytes(StandardCharsets.UTF_8), expected.getBytes(StandardCharsets.UTF_8));
  }

  static byte[] concat(byte[] first, byte[] second) {
    byte[] all = new byte[first.length + second.length];
    System.arraycopy(first, 0, all, 0, first.length);
    System.arraycopy(second, 0, all, first.length, second.length);
    return all;
  }

  static ApiException invalid(String how) {
    return new ApiException(401, "invalid_signature", how);
  }

  static ApiException stale(String what) {
    return new ApiException(
        401,
        "stale_signature",
        what
            + " is more than 5 minutes from the server's clock: a replay, or a gateway whose clock"
            + " is off.");
  }

  /** How far a signed time may be from the server's clock. */
  static final long TOLERANCE_SECONDS = 300;
}
