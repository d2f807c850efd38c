package com.ohmyotp.gateways;

import static com.ohmyotp.gateways.SenderFormat.Bodies.json;
import static com.ohmyotp.gateways.SenderFormat.Bodies.present;
import static com.ohmyotp.gateways.SenderFormat.Bodies.required;
import static com.ohmyotp.gateways.SenderFormat.Bodies.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.ohmyotp.sources.GatewayWebhook;
import java.nio.charset.StandardCharsets;

/**
 * Our own signed post, as {@code ohmyotp relay} sends it for Gammu and Kannel, which cannot sign:
 * the generic webhook's body ({@code to}, {@code from}, {@code text}, {@code received_at}, {@code
 * message_id}) and signature ({@code X-Ohmyotp-Timestamp}, {@code X-Ohmyotp-Signature: sha256=<hex
 * HMAC-SHA256 of "<timestamp>.<body>">}) under this gateway's own secret.
 */
public final class RelayFormat implements SenderFormat {

  @Override
  public Inbound read(Posted post, GatewaySecret secret, long now) {
    String timestamp = post.header(GatewayWebhook.TIMESTAMP_HEADER);
    long sent;
    try {
      sent = Long.parseLong(timestamp == null ? "" : timestamp.trim());
    } catch (NumberFormatException e) {
      throw Signatures.invalid(
          "Send " + GatewayWebhook.TIMESTAMP_HEADER + " (Unix seconds) and sign it with the body.");
    }
    String expected =
        GatewayWebhook.signature(
            secret.value().getBytes(StandardCharsets.UTF_8), sent, post.body());
    String presented = post.header(GatewayWebhook.SIGNATURE_HEADER);
    if (presented == null
        || !Signatures.same(presented.trim().toLowerCase(java.util.Locale.ROOT), expected)) {
      throw Signatures.invalid(
          GatewayWebhook.SIGNATURE_HEADER + " does not match the timestamp and the body.");
    }
    if (Math.abs(now - sent) > Signatures.TOLERANCE_SECONDS) {
      throw Signatures.stale(GatewayWebhook.TIMESTAMP_HEADER);
    }
    JsonNode body = json(post.body());
    JsonNode received = body.get("received_at");
    return new Inbound.Sms(
        required(text(body, "to"), "to"),
        null,
        null,
        required(text(body, "from"), "from"),
        present(text(body, "text"), "text"),
        received != null && received.canConvertToLong() ? received.asLong() : null,
        text(body, "message_id"),
        null);
  }
}
