package com.ohmyotp.push;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.List;
import java.util.StringJoiner;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Standard Webhooks signatures: {@code v1,} and the base64 HMAC-SHA256 of {@code
 * <webhook-id>.<webhook-timestamp>.<body>}, keyed with the secret's bytes (the base64 after {@code
 * whsec_}); one per secret, separated by spaces, while a rotation overlaps.
 */
public final class WebhookSignature {

  private WebhookSignature() {}

  /** The {@code webhook-signature} header for {@code body} under each of {@code secrets}. */
  public static String sign(List<String> secrets, String messageId, long timestamp, byte[] body) {
    StringJoiner header = new StringJoiner(" ");
    for (String secret : secrets) {
      header.add(
          "v1," + Base64.getEncoder().encodeToString(mac(secret, messageId, timestamp, body)));
    }
    return header.toString();
  }

  static byte[] mac(String secret, String messageId, long timestamp, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key(secret), "HmacSHA256"));
      mac.update((messageId + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
      return mac.doFinal(body);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("every JVM has HmacSHA256", e);
    }
  }

  /** The key a secret stands for: the bytes its base64 after {@code whsec_} encodes. */
  static byte[] key(String secret) {
    String encoded = secret.startsWith("whsec_") ? secret.substring("whsec_".length()) : secret;
    return Base64.getDecoder().decode(encoded);
  }
}
