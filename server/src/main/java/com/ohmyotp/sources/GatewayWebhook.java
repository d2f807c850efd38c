package com.ohmyotp.sources;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.ohmyotp.api.ApiException;
import com.ohmyotp.api.Json;
import com.ohmyotp.api.RateLimiter;
import com.ohmyotp.api.Routes;
import com.ohmyotp.sms.Delivery;
import com.ohmyotp.sms.InboundSms;
import com.ohmyotp.sms.SmsSink;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * {@code POST /api/v1/inbound/sms}: gateways deliver SMS here, signed under the shared secret:
 * {@code X-Ohmyotp-Timestamp: <Unix seconds>} and {@code X-Ohmyotp-Signature: sha256=<hex
 * HMAC-SHA256 of "<timestamp>.<raw body>">}, refused when the timestamp is more than {@value
 * #TOLERANCE_SECONDS} seconds from now, so that a post captured once cannot be replayed later. A
 * message is stored once: by its sender's {@code message_id}, or else by its body when that is
 * dated, or else by the signed post itself. The older signature of the body alone is accepted only
 * where the operator allows it ({@code OHMYOTP_WEBHOOK_BODY_ONLY_SIGNATURE}).
 */
public final class GatewayWebhook implements Routes {

  public static final String SIGNATURE_HEADER = "X-Ohmyotp-Signature";
  public static final String TIMESTAMP_HEADER = "X-Ohmyotp-Timestamp";

  /** How far a post's timestamp may be from the server's clock. */
  public static final long TOLERANCE_SECONDS = 300;

  static final int MAX_MESSAGE_ID = 100;
  static final int MAX_SENDER = 100;
  static final int MAX_TEXT = 2000;

  record Payload(String to, String from, String text, Long receivedAt, String messageId) {}

  record Accepted(String status, String rentalId) {}

  private final SmsSink sink;
  private final byte[] secret;
  private final boolean bodyOnlySignature;
  private final ObjectMapper json;
  private final RateLimiter limiter;
  private final Clock clock;

  /**
   * @param bodyOnlySignature whether a post signed without a timestamp (the body alone) is still
   *     accepted, for gateways not yet changed; replays of such posts cannot be told apart
   * @param limiter bounds how fast one address may post, so that a flood (forged or from a
   *     misbehaving gateway) is refused with 429 before it costs a signature check or a write
   */
  public GatewayWebhook(
      SmsSink sink,
      String secret,
      boolean bodyOnlySignature,
      ObjectMapper json,
      RateLimiter limiter,
      Clock clock) {
    this.limiter = limiter;
    this.sink = sink;
    this.secret = secret.getBytes(StandardCharsets.UTF_8);
    this.bodyOnlySignature = bodyOnlySignature;
    this.json = json;
    this.clock = clock;
  }

  @Override
  public void register(RoutesConfig routes) {
    routes.post("/api/v1/inbound/sms", this::receive);
  }

  private void receive(Context ctx) {
    RateLimiter.Decision decision = limiter.acquire(ctx.req().getRemoteAddr().hashCode());
    if (!decision.allowed()) {
      throw new ApiException(
          429,
          "rate_limited",
          "Too many SMS posts from this address; retry after the number of seconds in Retry-After.",
          decision.headers());
    }
    byte[] body = ctx.bodyAsBytes();
    long now = clock.instant().getEpochSecond();
    byte[] post = verify(ctx.header(TIMESTAMP_HEADER), ctx.header(SIGNATURE_HEADER), body, now);
    Payload payload = Json.read(json, body, Payload.class);
    require(payload.to(), "to", 40);
    require(payload.from(), "from", MAX_SENDER);
    if (payload.text() == null) {
      throw ApiException.badRequest("missing_field", "Field 'text' is required.");
    }
    if (payload.text().length() > MAX_TEXT) {
      throw ApiException.badRequest(
          "invalid_field", "Field 'text' has at most " + MAX_TEXT + " characters.");
    }
    if (payload.receivedAt() != null && payload.receivedAt() < 0) {
      throw ApiException.badRequest("invalid_field", "Field 'received_at' must be Unix seconds.");
    }
    if (payload.receivedAt() != null && payload.receivedAt() > now + TOLERANCE_SECONDS) {
      throw ApiException.badRequest("invalid_field", "Field 'received_at' is in the future.");
    }
    if (payload.messageId() != null
        && (payload.messageId().isBlank() || payload.messageId().length() > MAX_MESSAGE_ID)) {
      throw ApiException.badRequest(
          "invalid_field", "Field 'message_id' has 1 to " + MAX_MESSAGE_ID + " characters.");
    }
    Delivery delivery =
        sink.deliver(
            new InboundSms(
                payload.to(),
                payload.from(),
                payload.text(),
                payload.receivedAt(),
                dedupKey(payload, body, post)));
    switch (delivery) {
      case Delivery.ToRental to -> ctx.status(202).json(new Accepted("accepted", to.rentalId()));
      case Delivery.Unmatched unmatched -> ctx.status(202).json(new Accepted("accepted", null));
      case Delivery.Duplicate duplicate -> ctx.status(200).json(new Accepted("duplicate", null));
    }
  }

  /**
   * Checks the post's signature; returns what was signed ({@code "<timestamp>.<body>"}, or the body
   * alone where that is allowed).
   */
  private byte[] verify(String timestamp, String signature, byte[] body, long now) {
    if (timestamp == null) {
      if (bodyOnlySignature && signatureMatches(signature, body)) {
        return body;
      }
      throw new ApiException(
          401,
          "invalid_signature",
          "Sign \"<timestamp>.<body>\" and send the timestamp in "
              + TIMESTAMP_HEADER
              + " (Unix seconds).");
    }
    long sent;
    try {
      sent = Long.parseLong(timestamp.trim());
    } catch (NumberFormatException e) {
      throw new ApiException(401, "invalid_signature", TIMESTAMP_HEADER + " must be Unix seconds.");
    }
    byte[] signed = signed(sent, body);
    if (!signatureMatches(signature, signed)) {
      throw new ApiException(
          401,
          "invalid_signature",
          "The " + SIGNATURE_HEADER + " header does not match the timestamp and the body.");
    }
    if (Math.abs(now - sent) > TOLERANCE_SECONDS) {
      throw new ApiException(
          401,
          "stale_signature",
          TIMESTAMP_HEADER
              + " is more than "
              + TOLERANCE_SECONDS / 60
              + " minutes from the server's clock: a replay, or a gateway whose clock is off.");
    }
    return signed;
  }

  /** What makes a message the same when it comes again; see the class comment. */
  private static String dedupKey(Payload payload, byte[] body, byte[] post) {
    if (payload.messageId() != null) {
      return "id:" + payload.messageId();
    }
    byte[] what = payload.receivedAt() != null ? body : post;
    try {
      return "sha256:"
          + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(what));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  private boolean signatureMatches(String header, byte[] signed) {
    if (header == null || !header.regionMatches(true, 0, "sha256=", 0, 7)) {
      return false;
    }
    byte[] presented =
        header.substring(7).trim().toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII);
    byte[] expected = sign(secret, signed).getBytes(StandardCharsets.US_ASCII);
    return MessageDigest.isEqual(presented, expected);
  }

  /**
   * The value of {@link #SIGNATURE_HEADER} for a post of {@code body} at {@code timestamp}, as a
   * gateway computes it.
   */
  public static String signature(byte[] secret, long timestamp, byte[] body) {
    return "sha256=" + sign(secret, signed(timestamp, body));
  }

  /** The bytes a post's signature covers: {@code "<timestamp>.<raw body>"}. */
  private static byte[] signed(long timestamp, byte[] body) {
    byte[] prefix = (timestamp + ".").getBytes(StandardCharsets.US_ASCII);
    byte[] signed = new byte[prefix.length + body.length];
    System.arraycopy(prefix, 0, signed, 0, prefix.length);
    System.arraycopy(body, 0, signed, prefix.length, body.length);
    return signed;
  }

  /** The hex HMAC-SHA256 of {@code body}, as a gateway computes it. */
  public static String sign(byte[] secret, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(body));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void require(String value, String field, int max) {
    if (value == null || value.isBlank()) {
      throw ApiException.badRequest("missing_field", "Field '" + field + "' is required.");
    }
    if (value.length() > max) {
      throw ApiException.badRequest(
          "invalid_field", "Field '" + field + "' has at most " + max + " characters.");
    }
  }
}
