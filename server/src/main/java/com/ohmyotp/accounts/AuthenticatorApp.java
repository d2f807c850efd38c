package com.ohmyotp.accounts;

import com.eatthepath.otp.TimeBasedOneTimePasswordGenerator;
import com.google.zxing.BarcodeFormat;
import com.google.zxing.WriterException;
import com.google.zxing.common.BitMatrix;
import com.google.zxing.qrcode.QRCodeWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import javax.crypto.spec.SecretKeySpec;
import org.apache.commons.codec.binary.Base32;

/**
 * What an authenticator app and the service share: how the app is given an account's secret (the
 * {@code otpauth://} address every app reads, drawn as a QR code to scan off the screen, and the
 * key itself for typing in), and the RFC 6238 codes it then shows (SHA-1, six digits, 30 s).
 */
public final class AuthenticatorApp {

  private static final TimeBasedOneTimePasswordGenerator TOTP =
      new TimeBasedOneTimePasswordGenerator(Duration.ofSeconds(30), 6, "HmacSHA1");

  private AuthenticatorApp() {}

  /** What the customer needs to add the account to an authenticator app. */
  public record Setup(String secret, String uri, String qrSvg) {}

  /** The set-up of {@code base32} for the account signed in as {@code email}. */
  static Setup setup(String base32, String email) {
    String label =
        URLEncoder.encode("ohmyotp:" + email, StandardCharsets.UTF_8).replace("+", "%20");
    String uri =
        "otpauth://totp/"
            + label
            + "?secret="
            + base32
            + "&issuer=ohmyotp&algorithm=SHA1&digits=6&period=30";
    return new Setup(base32, uri, qrSvg(uri));
  }

  /**
   * The time step whose code {@code code} is for the secret {@code base32} at {@code now}, allowing
   * one step either side for a phone's clock; empty for anything else.
   */
  static Optional<Long> stepOf(String base32, String code, Instant now) {
    String digits = code == null ? "" : code.replaceAll("\\s", "");
    if (!digits.matches("[0-9]{6}")) {
      return Optional.empty();
    }
    SecretKeySpec key = new SecretKeySpec(new Base32().decode(base32), "HmacSHA1");
    long step = now.getEpochSecond() / 30;
    for (long s = step - 1; s <= step + 1; s++) {
      if (codeAt(key, s).equals(digits)) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }

  private static String codeAt(SecretKeySpec key, long step) {
    try {
      return String.format(
          Locale.ROOT, "%06d", TOTP.generateOneTimePassword(key, Instant.ofEpochSecond(step * 30)));
    } catch (InvalidKeyException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The QR code of {@code text} as an SVG of black squares, for an app to scan off the screen. */
  static String qrSvg(String text) {
    BitMatrix matrix;
    try {
      matrix = new QRCodeWriter().encode(text, BarcodeFormat.QR_CODE, 0, 0);
    } catch (WriterException e) {
      throw new IllegalStateException(e);
    }
    int quiet = 4;
    int size = matrix.getWidth() + 2 * quiet;
    StringBuilder path = new StringBuilder();
    for (int y = 0; y < matrix.getHeight(); y++) {
      for (int x = 0; x < matrix.getWidth(); x++) {
        if (matrix.get(x, y)) {
          path.append('M').append(x + quiet).append(' ').append(y + quiet).append("h1v1h-1z");
        }
      }
    }
    return "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 "
        + size
        + " "
        + size
        + "\" width=\"200\" height=\"200\" role=\"img\" aria-label=\"QR code for an authenticator"
        + " app\"><rect width=\"100%\" height=\"100%\" fill=\"#fff\"/><path fill=\"#000\" d=\""
        + path
        + "\"/></svg>";
  }
}
