package com.ohmyotp.gateways;

import static com.ohmyotp.gateways.SenderFormat.Bodies.present;
import static com.ohmyotp.gateways.SenderFormat.Bodies.required;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Vonage SMS API inbound messages ({@code msisdn} the sender, {@code to} our number, {@code text},
 * {@code messageId}, {@code message-timestamp}), by GET, form post or JSON, signed with the
 * account's signature secret: {@code sig} is the hash, by the account's chosen method, of every
 * other non-empty parameter sorted by name as {@code &name=value} (with {@code &} and {@code =} in
 * names and values written {@code _}); {@code timestamp} must be recent. A long SMS comes in parts
 * ({@code concat}, {@code concat-ref}, {@code concat-total}, {@code concat-part}).
 */
public final class VonageFormat implements SenderFormat {

  private static final DateTimeFormatter MESSAGE_TIMESTAMP =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

  @Override
  public Inbound read(Posted post, GatewaySecret secret, long now) {
    Map<String, String> params = params(post);
    String sig = params.get("sig");
    if (sig == null
        || !Signatures.same(
            sig.trim().toLowerCase(Locale.ROOT),
            signature(secret.value(), secret.signatureMethod(), params))) {
      throw Signatures.invalid(
          "sig does not match the parameters under this gateway's signature secret and method.");
    }
    long sent;
    try {
      sent = Long.parseLong(required(params.get("timestamp"), "timestamp").trim());
    } catch (NumberFormatException e) {
      throw Signatures.invalid("timestamp must be Unix seconds.");
    }
    if (Math.abs(now - sent) > Signatures.TOLERANCE_SECONDS) {
      throw Signatures.stale("timestamp");
    }
    Inbound.Part part = null;
    if ("true".equalsIgnoreCase(params.get("concat"))) {
      try {
        part =
            new Inbound.Part(
                required(params.get("concat-ref"), "concat-ref"),
                Integer.parseInt(required(params.get("concat-part"), "concat-part")),
                Integer.parseInt(required(params.get("concat-total"), "concat-total")));
      } catch (NumberFormatException e) {
        throw SenderFormat.Bodies.malformed("concat-part and concat-total are numbers.");
      }
      if (part.total() < 1
          || part.total() > 20
          || part.number() < 1
          || part.number() > part.total()) {
        throw SenderFormat.Bodies.malformed("A part is numbered 1 to concat-total, at most 20.");
      }
    }
    return new Inbound.Sms(
        required(params.get("to"), "to"),
        null,
        null,
        required(params.get("msisdn"), "msisdn"),
        present(params.get("text"), "text"),
        receivedAt(params.get("message-timestamp")),
        required(params.get("messageId"), "messageId"),
        part);
  }

  private static Map<String, String> params(Posted post) {
    String type = post.header("Content-Type");
    if (type != null && type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
      Map<String, String> params = new HashMap<>();
      JsonNode body = SenderFormat.Bodies.json(post.body());
      body.properties()
          .forEach(
              e -> {
                if (!e.getValue().isNull() && e.getValue().isValueNode()) {
                  params.put(e.getKey(), e.getValue().asText());
                }
              });
      return params;
    }
    return post.params();
  }

  private static Long receivedAt(String value) {
    if (value == null) {
      return null;
    }
    try {
      return LocalDateTime.parse(value, MESSAGE_TIMESTAMP).toEpochSecond(ZoneOffset.UTC);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /**
   * The {@code sig} Vonage sends for {@code params} under {@code secret}; {@code method} is one of
   * md5hash (null means it), md5, sha1, sha256 and sha512, lower-case hex.
   */
  public static String signature(String secret, String method, Map<String, String> params) {
    StringBuilder signed = new StringBuilder();
    new TreeMap<>(params)
        .forEach(
            (name, value) -> {
              if (!name.equals("sig") && value != null && !value.isBlank()) {
                signed.append('&').append(clean(name)).append('=').append(clean(value));
              }
            });
    String text = signed.toString();
    return switch (method == null ? "md5hash" : method) {
      case "md5" -> Signatures.hex(Signatures.hmac("HmacMD5", secret, text));
      case "sha1" -> Signatures.hex(Signatures.hmac("HmacSHA1", secret, text));
      case "sha256" -> Signatures.hex(Signatures.hmac("HmacSHA256", secret, text));
      case "sha512" -> Signatures.hex(Signatures.hmac("HmacSHA512", secret, text));
      default -> Signatures.md5Hex(text + secret);
    };
  }

  private static String clean(String value) {
    return value.replaceAll("[=&]", "_");
  }
}
