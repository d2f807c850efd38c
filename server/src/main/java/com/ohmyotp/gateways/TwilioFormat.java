package com.ohmyotp.gateways;

import static com.ohmyotp.gateways.SenderFormat.Bodies.present;
import static com.ohmyotp.gateways.SenderFormat.Bodies.required;

import java.util.Map;
import java.util.TreeMap;

/**
 * Twilio Messaging: a form post ({@code From}, {@code To}, {@code Body}, {@code MessageSid}, …)
 * signed in {@code X-Twilio-Signature} as the base64 HMAC-SHA1, keyed with the account's auth
 * token, of the URL Twilio called followed by every parameter's name and value, sorted by name. It
 * signs no time: a replay is told by its {@code MessageSid}. Answered with empty TwiML.
 */
public final class TwilioFormat implements SenderFormat {

  /** The answer Twilio expects: nothing to send back. */
  public static final String EMPTY_TWIML =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response></Response>";

  @Override
  public Inbound read(Posted post, GatewaySecret secret, long now) {
    String expected = signature(secret.value(), post.url(), post.params());
    if (!Signatures.same(post.header("X-Twilio-Signature"), expected)) {
      throw Signatures.invalid(
          "X-Twilio-Signature does not match this gateway's auth token and URL (set public_url"
              + " to the URL configured at Twilio when a proxy stands in between).");
    }
    String sid = post.param("MessageSid");
    if (sid == null) {
      sid = post.param("SmsSid");
    }
    return new Inbound.Sms(
        required(post.param("To"), "To"),
        null,
        null,
        required(post.param("From"), "From"),
        present(post.param("Body"), "Body"),
        null,
        required(sid, "MessageSid"),
        null);
  }

  /** The signature Twilio sends for a post of {@code params} to {@code url}. */
  public static String signature(String authToken, String url, Map<String, String> params) {
    StringBuilder signed = new StringBuilder(url);
    new TreeMap<>(params).forEach((name, value) -> signed.append(name).append(value));
    return Signatures.base64(Signatures.hmac("HmacSHA1", authToken, signed.toString()));
  }
}
