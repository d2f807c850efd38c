package com.ohmyotp.gateways;

import static com.ohmyotp.gateways.SenderFormat.Bodies.present;
import static com.ohmyotp.gateways.SenderFormat.Bodies.required;

import java.net.URI;
import java.util.Map;
import java.util.TreeMap;

/**
 * Plivo incoming messages: a form post ({@code From}, {@code To}, {@code Text}, {@code
 * MessageUUID}, …) signed in {@code X-Plivo-Signature-V3} (a comma-separated list while the account
 * rotates tokens) with the nonce in {@code X-Plivo-Signature-V3-Nonce}: the base64 HMAC-SHA256,
 * keyed with the auth token, of the URL Plivo called without its query, {@code ?}, every parameter
 * as {@code name=value} sorted by name and joined with nothing, {@code .} and the nonce. It signs
 * no time: a replay is told by its {@code MessageUUID}.
 */
public final class PlivoFormat implements SenderFormat {

  @Override
  public Inbound read(Posted post, GatewaySecret secret, long now) {
    String nonce = post.header("X-Plivo-Signature-V3-Nonce");
    String presented = post.header("X-Plivo-Signature-V3");
    if (nonce == null || presented == null) {
      throw Signatures.invalid("Send X-Plivo-Signature-V3 and its nonce, as Plivo signs.");
    }
    String expected = signature(secret.value(), post.url(), post.params(), nonce);
    boolean matched = false;
    for (String one : presented.split(",")) {
      matched |= Signatures.same(one.trim(), expected);
    }
    if (!matched) {
      throw Signatures.invalid(
          "X-Plivo-Signature-V3 does not match this gateway's auth token and URL (set public_url"
              + " to the URL configured at Plivo when a proxy stands in between).");
    }
    return new Inbound.Sms(
        required(post.param("To"), "To"),
        null,
        null,
        required(post.param("From"), "From"),
        present(post.param("Text"), "Text"),
        null,
        required(post.param("MessageUUID"), "MessageUUID"),
        null);
  }

  /** The V3 signature Plivo sends for a form post of {@code params} to {@code url}. */
  public static String signature(
      String authToken, String url, Map<String, String> params, String nonce) {
    URI uri = URI.create(url);
    StringBuilder signed =
        new StringBuilder(uri.getScheme())
            .append("://")
            .append(uri.getRawAuthority())
            .append(uri.getRawPath() == null ? "" : uri.getRawPath());
    if (!params.isEmpty()) {
      signed.append('?');
    }
    new TreeMap<>(params).forEach((name, value) -> signed.append(name).append('=').append(value));
    signed.append('.').append(nonce);
    return Signatures.base64(Signatures.hmac("HmacSHA256", authToken, signed.toString()));
  }
}
