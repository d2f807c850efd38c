package com.ohmyotp.support;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * What each gateway's sender posts and how it signs it, written from each project's documentation
 * (the Android app's webhook guide, httpSMS's webhook service, textbee's delivery code, Twilio's,
 * Vonage's and Plivo's request validation), independent of the server's own readers.
 */
public final class GatewaySenders {

  private GatewaySenders() {}

  /** A post: its body, its content type and its headers. */
  public record Post(String body, Map<String, String> headers) {}

  // SMS Gateway for Android: X-Signature = hex HMAC-SHA256(key, body + X-Timestamp).
  public static Post android(
      String key,
      long timestamp,
      String eventId,
      String recipient,
      Integer sim,
      String sender,
      String text) {
    String body =
        "{\"deviceId\":\"ffffffffceb0b1db0000018e937c815b\",\"event\":\"sms:received\",\"id\":\""
            + eventId
            + "\",\"payload\":{\"messageId\":\"abc123\",\"message\":"
            + TestServer.quote(text)
            + ",\"sender\":"
            + TestServer.quote(sender)
            + ",\"recipient\":"
            + (recipient == null ? "null" : TestServer.quote(recipient))
            + ",\"simNumber\":"
            + sim
            + ",\"receivedAt\":\"2026-05-15T19:00:00.000+07:00\"},\"webhookId\":\"wh-1\"}";
    return androidSigned(key, timestamp, body);
  }

  public static Post androidPing(String key, long timestamp) {
    String body =
        "{\"deviceId\":\"ffffffffceb0b1db0000018e937c815b\",\"event\":\"system:ping\",\"id\":\"p1\","
            + "\"payload\":{\"health\":{\"status\":\"pass\"}},\"webhookId\":\"wh-2\"}";
    return androidSigned(key, timestamp, body);
  }

  private static Post androidSigned(String key, long timestamp, String body) {
    String signature = hex(hmac("HmacSHA256", key, body + timestamp));
    return new Post(
        body,
        Map.of(
            "Content-Type",
            "application/json",
            "X-Signature",
            signature,
            "X-Timestamp",
            String.valueOf(timestamp)));
  }

  // httpSMS: a CloudEvent, with Authorization: Bearer <HS256 JWT> whose audience is the URL called.
  public static Post httpSms(
      String key,
      String audience,
      Instant now,
      String messageId,
      String owner,
      String contact,
      String content) {
    String body =
        "{\"specversion\":\"1.0\",\"id\":\"ce-"
            + messageId
            + "\",\"source\":\"/v1/messages/receive\",\"type\":\"message.phone.received\","
            + "\"datacontenttype\":\"application/json\",\"time\":\"2026-05-15T12:00:00Z\","
            + "\"data\":{\"message_id\":\""
            + messageId
            + "\",\"user_id\":\"u1\",\"owner\":"
            + TestServer.quote(owner)
            + ",\"contact\":"
            + TestServer.quote(contact)
            + ",\"timestamp\":\"2026-05-15T12:00:00.123456Z\",\"content\":"
            + TestServer.quote(content)
            + ",\"sim\":\"SIM1\"}}";
    String token =
        JWT.create()
            .withAudience(audience)
            .withIssuer("api.httpsms.com")
            .withSubject("u1")
            .withIssuedAt(now)
            .withNotBefore(now.minusSeconds(600))
            .withExpiresAt(now.plusSeconds(600))
            .sign(Algorithm.HMAC256(key));
    return new Post(
        body,
        Map.of(
            "Content-Type", "application/json",
            "X-Event-Type", "message.phone.received",
            "Authorization", "Bearer " + token));
  }

  // textbee: X-Signature = hex HMAC-SHA256(secret, JSON.stringify(payload)), the body as sent.
  public static Post textbee(
      String secret, String smsId, String deviceId, String sender, String text) {
    String body =
        "{\"smsId\":\""
            + smsId
            + "\",\"message\":"
            + TestServer.quote(text)
            + ",\"deviceId\":\""
            + deviceId
            + "\",\"webhookSubscriptionId\":\"sub1\",\"webhookEvent\":\"MESSAGE_RECEIVED\","
            + "\"idempotencyKey\":\"k-"
            + smsId
            + "\",\"sender\":"
            + TestServer.quote(sender)
            + ",\"receivedAt\":\"2026-05-15T11:59:58.000Z\"}";
    return new Post(
        body,
        Map.of(
            "Content-Type",
            "application/json",
            "X-Signature",
            hex(hmac("HmacSHA256", secret, body))));
  }

  // Twilio: X-Twilio-Signature = base64 HMAC-SHA1(token, url + sorted name+value).
  public static Post twilio(
      String token, String url, String sid, String from, String to, String body) {
    Map<String, String> params = new LinkedHashMap<>();
    params.put("ToCountry", "US");
    params.put("SmsMessageSid", sid);
    params.put("NumMedia", "0");
    params.put("SmsSid", sid);
    params.put("SmsStatus", "received");
    params.put("Body", body);
    params.put("To", to);
    params.put("NumSegments", "1");
    params.put("MessageSid", sid);
    params.put("AccountSid", "AC0000000000000000000000000000000");
    params.put("From", from);
    params.put("ApiVersion", "2010-04-01");
    StringBuilder signed = new StringBuilder(url);
    new TreeMap<>(params).forEach((k, v) -> signed.append(k).append(v));
    return new Post(
        form(params),
        Map.of(
            "Content-Type",
            "application/x-www-form-urlencoded",
            "X-Twilio-Signature",
            base64(hmac("HmacSHA1", token, signed.toString()))));
  }

  /**
   * Vonage inbound SMS parameters, signed: sig = md5(sorted "&k=v" + secret) for md5hash, else the
   * hex HMAC under the secret.
   */
  public static Map<String, String> vonage(
      String secret,
      String method,
      long timestamp,
      String messageId,
      String msisdn,
      String to,
      String text,
      Map<String, String> extra) {
    Map<String, String> params = new TreeMap<>();
    params.put("msisdn", msisdn);
    params.put("to", to);
    params.put("messageId", messageId);
    params.put("text", text);
    params.put("type", "text");
    params.put("keyword", text.split(" ")[0].toUpperCase(java.util.Locale.ROOT));
    params.put("message-timestamp", "2026-05-15 12:00:00");
    params.put("timestamp", String.valueOf(timestamp));
    params.put("nonce", "n-" + messageId);
    params.putAll(extra);
    StringBuilder signed = new StringBuilder();
    params.forEach(
        (k, v) ->
            signed
                .append('&')
                .append(k.replaceAll("[=&]", "_"))
                .append('=')
                .append(v.replaceAll("[=&]", "_")));
    String sig =
        switch (method) {
          case "md5hash" -> md5(signed + secret);
          case "sha256" -> hex(hmac("HmacSHA256", secret, signed.toString()));
          default -> throw new IllegalArgumentException(method);
        };
    params.put("sig", sig);
    return params;
  }

  // Plivo: X-Plivo-Signature-V3 = base64 HMAC-SHA256(token, url + "?" + sorted k=v + "." + nonce).
  public static Post plivo(
      String token, String url, String nonce, String uuid, String from, String to, String text) {
    Map<String, String> params = new TreeMap<>();
    params.put("From", from);
    params.put("To", to);
    params.put("Text", text);
    params.put("Type", "sms");
    params.put("MessageUUID", uuid);
    params.put("TotalRate", "0");
    params.put("Units", "1");
    StringBuilder signed = new StringBuilder(url).append('?');
    params.forEach((k, v) -> signed.append(k).append('=').append(v));
    signed.append('.').append(nonce);
    return new Post(
        form(params),
        Map.of(
            "Content-Type",
            "application/x-www-form-urlencoded",
            "X-Plivo-Signature-V3",
            base64(hmac("HmacSHA256", token, signed.toString())),
            "X-Plivo-Signature-V3-Nonce",
            nonce));
  }

  public static String form(Map<String, String> params) {
    StringBuilder b = new StringBuilder();
    params.forEach(
        (k, v) ->
            b.append(b.length() == 0 ? "" : "&")
                .append(URLEncoder.encode(k, StandardCharsets.UTF_8))
                .append('=')
                .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
    return b.toString();
  }

  static byte[] hmac(String algorithm, String key, String data) {
    try {
      Mac mac = Mac.getInstance(algorithm);
      mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), algorithm));
      return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }

  static String base64(byte[] bytes) {
    return Base64.getEncoder().encodeToString(bytes);
  }

  static String md5(String data) {
    try {
      return hex(MessageDigest.getInstance("MD5").digest(data.getBytes(StandardCharsets.UTF_8)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
