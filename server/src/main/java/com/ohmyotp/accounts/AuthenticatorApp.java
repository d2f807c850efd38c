package com.ohmyotp.accounts;

import com.google.zxing.BarcodeFormat;
import com.google.zxing.WriterException;
import com.google.zxing.common.BitMatrix;
import com.google.zxing.qrcode.QRCodeWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * How an authenticator app is given an account's secret: the {@code otpauth://} address every app
 * reads (SHA-1, six digits, 30 s), drawn as a QR code to scan off the screen, and the key itself
 * for typing in.
 */
public final class AuthenticatorApp {

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
