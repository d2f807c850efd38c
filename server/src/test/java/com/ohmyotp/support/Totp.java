package com.ohmyotp.support;

import java.nio.ByteBuffer;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.commons.codec.binary.Base32;

/**
 * An authenticator app, written here from RFC 6238 and RFC 4226 (HMAC-SHA1 of the 30-second step,
 * dynamic truncation, six digits), so the tests check the server against the standard rather than
 * against the library it uses.
 */
public final class Totp {

  private Totp() {}

  /** The code an app shows for {@code base32Secret} at {@code epochSecond}. */
  public static String code(String base32Secret, long epochSecond) {
    try {
      Mac mac = Mac.getInstance("HmacSHA1");
      mac.init(new SecretKeySpec(new Base32().decode(base32Secret), "HmacSHA1"));
      byte[] hash = mac.doFinal(ByteBuffer.allocate(8).putLong(epochSecond / 30).array());
      int offset = hash[hash.length - 1] & 0x0f;
      int binary = ByteBuffer.wrap(hash, offset, 4).getInt() & 0x7fffffff;
      return String.format(Locale.ROOT, "%06d", binary % 1_000_000);
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
