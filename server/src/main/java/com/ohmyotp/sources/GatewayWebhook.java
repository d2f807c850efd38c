package com.ohmyotp.sources;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.ohmyotp.api.ApiException;
import com.ohmyotp.api.Json;
import com.ohmyotp.api.RateLimiter;
import com.ohmyotp.api.Routes;
import com.ohmyotp.sms.InboundSms;
import com.ohmyotp.sms.SmsSink;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * {@code POST /api/v1/inbound/sms}: gateways deliver SMS here, signed with {@code
 * X-Ohmyotp-Signature: sha256=<hex HMAC-SHA256 of the raw body>} under the shared secret.
 */
public final class GatewayWebhook implements Routes {

  public static final String SIGNATURE_HEADER = "X-Ohmyotp-Signature";
  static final int MAX_SENDER = 100;
  static final int MAX_TEXT = 2000;

  record Payload(String to, String from, String text, Long receivedAt) {}

  record Accepted(String status, String rentalId) {}

  private final SmsSink sink;
  private final byte[] secret;
  private final ObjectMapper json;
  private final RateLimiter limiter;

  /**
   * @param limiter bounds how fast one address may post, so that a flood (forged or from a
   *     misbehaving gateway) is refused with 429 before it costs a signature check or a write
   */
  public GatewayWebhook(SmsSink sink, String secret, ObjectMapper json, RateLimiter limiter) {
    this.limiter = limiter;
    this.sink = sink;
    this.secret = secret.getBytes(StandardCharsets.UTF_8);
    this.json = json;
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
    if (!signatureMatches(ctx.header(SIGNATURE_HEADER), body)) {
      throw new ApiException(
          401, "invalid_signature", "The " + SIGNATURE_HEADER + " header does not match the body.");
    }
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
    Optional<String> rental =
        sink.deliver(
            new InboundSms(payload.to(), payload.from(), payload.text(), payload.receivedAt()));
    ctx.status(202).json(new Accepted("accepted", rental.orElse(null)));
  }

  private boolean signatureMatches(String header, byte[] body) {
    if (header == null || !header.regionMatches(true, 0, "sha256=", 0, 7)) {
      return false;
    }
    byte[] presented =
        header.substring(7).trim().toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII);
    byte[] expected = sign(secret, body).getBytes(StandardCharsets.US_ASCII);
    return MessageDigest.isEqual(presented, expected);
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
