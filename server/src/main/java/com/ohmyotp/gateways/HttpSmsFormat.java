package com.ohmyotp.gateways;

import static com.ohmyotp.gateways.SenderFormat.Bodies.json;
import static com.ohmyotp.gateways.SenderFormat.Bodies.present;
import static com.ohmyotp.gateways.SenderFormat.Bodies.required;
import static com.ohmyotp.gateways.SenderFormat.Bodies.text;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTVerifier;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.IncorrectClaimException;
import com.auth0.jwt.exceptions.JWTVerificationException;
import com.auth0.jwt.exceptions.TokenExpiredException;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

/**
 * httpSMS: a CloudEvents JSON envelope; the event {@code message.phone.received} carries the SMS in
 * {@code data} ({@code owner} our number, {@code contact} the sender, {@code content} the text).
 * Authenticated by {@code Authorization: Bearer <JWT>} signed HS256 with the webhook's signing key,
 * its audience the URL httpSMS posts to, within its {@code nbf} and {@code exp}.
 */
public final class HttpSmsFormat implements SenderFormat {

  static final String RECEIVED = "message.phone.received";

  @Override
  public Inbound read(Posted post, GatewaySecret secret, long now) {
    String authorization = post.header("Authorization");
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      throw Signatures.invalid("Send the JWT httpSMS signs with the webhook's signing key.");
    }
    JWTVerifier verifier =
        ((JWTVerifier.BaseVerification)
                JWT.require(Algorithm.HMAC256(secret.value())).withAudience(post.url()))
            .build(Clock.fixed(Instant.ofEpochSecond(now), ZoneOffset.UTC));
    try {
      verifier.verify(authorization.substring(7).trim());
    } catch (TokenExpiredException e) {
      throw Signatures.stale("The token's exp");
    } catch (IncorrectClaimException e) {
      throw Signatures.invalid(
          "The token's "
              + e.getClaimName()
              + " does not hold (its audience is this gateway's URL).");
    } catch (JWTVerificationException e) {
      throw Signatures.invalid("The token is not signed with this gateway's signing key.");
    }
    JsonNode event = json(post.body());
    String type = required(text(event, "type"), "type");
    if (!type.equals(RECEIVED)) {
      return new Inbound.Other(type);
    }
    JsonNode data = event.get("data");
    if (data == null || !data.isObject()) {
      throw SenderFormat.Bodies.malformed("Field 'data' is required.");
    }
    String id = text(data, "message_id");
    if (id == null) {
      id = text(data, "id");
    }
    if (id == null) {
      id = text(event, "id");
    }
    return new Inbound.Sms(
        required(text(data, "owner"), "data.owner"),
        null,
        null,
        required(text(data, "contact"), "data.contact"),
        present(text(data, "content"), "data.content"),
        SenderFormat.Bodies.isoSeconds(text(data, "timestamp")),
        id,
        null);
  }
}
