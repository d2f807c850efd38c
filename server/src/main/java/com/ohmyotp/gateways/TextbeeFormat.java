package com.ohmyotp.gateways;

import static com.ohmyotp.gateways.SenderFormat.Bodies.json;
import static com.ohmyotp.gateways.SenderFormat.Bodies.present;
import static com.ohmyotp.gateways.SenderFormat.Bodies.required;
import static com.ohmyotp.gateways.SenderFormat.Bodies.text;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;

/**
 * textbee: a JSON payload with {@code webhookEvent} ({@code MESSAGE_RECEIVED} for an incoming SMS),
 * {@code smsId}, {@code sender}, {@code message}, {@code receivedAt} and {@code deviceId}, signed
 * in {@code X-Signature} as the hex HMAC-SHA256 of the JSON payload under the subscription's
 * signing secret. It names no recipient: the number is the one registered for the device. It signs
 * no time, so a replay is told by its {@code smsId}.
 */
public final class TextbeeFormat implements SenderFormat {

  @Override
  public Inbound read(Posted post, GatewaySecret secret, long now) {
    String signature = post.header("X-Signature");
    String expected = Signatures.hex(Signatures.hmac("HmacSHA256", secret.value(), post.body()));
    if (signature == null
        || !Signatures.same(signature.trim().toLowerCase(Locale.ROOT), expected)) {
      throw Signatures.invalid(
          "X-Signature does not match the payload under this gateway's signing secret.");
    }
    JsonNode payload = json(post.body());
    String event = required(text(payload, "webhookEvent"), "webhookEvent");
    if (!event.equals("MESSAGE_RECEIVED")) {
      return new Inbound.Other(event);
    }
    return new Inbound.Sms(
        null,
        required(text(payload, "deviceId"), "deviceId"),
        null,
        required(text(payload, "sender"), "sender"),
        present(text(payload, "message"), "message"),
        SenderFormat.Bodies.isoSeconds(text(payload, "receivedAt")),
        required(text(payload, "smsId"), "smsId"),
        null);
  }
}
