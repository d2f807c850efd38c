package com.ohmyotp.gateways;

import static com.ohmyotp.gateways.SenderFormat.Bodies.json;
import static com.ohmyotp.gateways.SenderFormat.Bodies.required;
import static com.ohmyotp.gateways.SenderFormat.Bodies.text;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;

/**
 * SMS Gateway for Android (capcom6/android-sms-gateway): a JSON event {@code {deviceId, event, id,
 * webhookId, payload}}, signed in {@code X-Signature} as the lower-case hex HMAC-SHA256 of the raw
 * body followed by the {@code X-Timestamp} value (Unix seconds), which must be recent. The event
 * {@code sms:received} carries the SMS; {@code system:ping} is a sign of life. The event's {@code
 * id} is kept across the app's retries, so it is what makes a post the same; the payload's {@code
 * messageId} is derived from the content and two SMS may share it.
 */
public final class AndroidFormat implements SenderFormat {

  @Override
  public Inbound read(Posted post, GatewaySecret secret, long now) {
    String timestamp = post.header("X-Timestamp");
    String signature = post.header("X-Signature");
    if (timestamp == null || signature == null) {
      throw Signatures.invalid("Send X-Signature and X-Timestamp, as the app signs its webhooks.");
    }
    byte[] signed = Signatures.concat(post.body(), timestamp.getBytes(StandardCharsets.UTF_8));
    String expected = Signatures.hex(Signatures.hmac("HmacSHA256", secret.value(), signed));
    if (!Signatures.same(signature.trim().toLowerCase(java.util.Locale.ROOT), expected)) {
      throw Signatures.invalid(
          "X-Signature does not match the body and X-Timestamp under this gateway's signing key.");
    }
    long sent;
    try {
      sent = Long.parseLong(timestamp.trim());
    } catch (NumberFormatException e) {
      throw Signatures.invalid("X-Timestamp must be Unix seconds.");
    }
    if (Math.abs(now - sent) > Signatures.TOLERANCE_SECONDS) {
      throw Signatures.stale("X-Timestamp");
    }
    JsonNode event = json(post.body());
    String type = required(text(event, "event"), "event");
    String device = text(event, "deviceId");
    switch (type) {
      case "sms:received" -> {
        JsonNode payload = event.get("payload");
        if (payload == null || !payload.isObject()) {
          throw SenderFormat.Bodies.malformed("Field 'payload' is required.");
        }
        String from = text(payload, "sender");
        if (from == null) {
          // Versions before 1.x name the sender phoneNumber.
          from = text(payload, "phoneNumber");
        }
        JsonNode sim = payload.get("simNumber");
        String id = text(event, "id");
        if (id == null) {
          id = text(payload, "messageId") + "@" + text(payload, "receivedAt");
        }
        return new Inbound.Sms(
            text(payload, "recipient"),
            device,
            sim == null || !sim.canConvertToInt() ? null : sim.asInt(),
            required(from, "payload.sender"),
            SenderFormat.Bodies.present(text(payload, "message"), "payload.message"),
            SenderFormat.Bodies.isoSeconds(text(payload, "receivedAt")),
            (device == null ? "" : device + "/") + id,
            null);
      }
      case "system:ping" -> {
        return new Inbound.Ping(device);
      }
      default -> {
        return new Inbound.Other(type);
      }
    }
  }
}
