package com.ohmyotp.gateways;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.ohmyotp.api.ApiException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The senders' formats as plain functions of a post, without a server. */
class SenderFormatsTest {

  static final long NOW = 1_778_846_400L;

  static Posted json(String body, Map<String, String> headers) {
    Map<String, String> lower = new HashMap<>();
    headers.forEach((k, v) -> lower.put(k.toLowerCase(java.util.Locale.ROOT), v));
    return new Posted(
        "POST",
        "https://otp.example.com/api/v1/inbound/g",
        lower,
        body.getBytes(StandardCharsets.UTF_8),
        Map.of());
  }

  static String hmacHex(String key, String data) {
    return Signatures.hex(Signatures.hmac("HmacSHA256", key, data));
  }

  @Test
  void androidReadsTheOlderSenderFieldAndAPingAndLeavesOtherEventsAlone() {
    String legacy =
        "{\"deviceId\":\"d1\",\"event\":\"sms:received\",\"id\":\"e1\",\"payload\":{\"messageId\":\"abc\","
            + "\"message\":\"Code 12345\",\"phoneNumber\":\"+79990001234\",\"simNumber\":null,"
            + "\"receivedAt\":\"2024-06-07T11:41:31.000+07:00\"}}";
    Inbound read =
        new AndroidFormat()
            .read(
                json(
                    legacy,
                    Map.of("X-Timestamp", "" + NOW, "X-Signature", hmacHex("k", legacy + NOW))),
                new GatewaySecret("k", null),
                NOW);
    assertThat(read)
        .isEqualTo(
            new Inbound.Sms(
                null, "d1", null, "+79990001234", "Code 12345", 1_717_735_291L, "d1/e1", null));
    String sent = "{\"deviceId\":\"d1\",\"event\":\"sms:sent\",\"id\":\"e2\",\"payload\":{}}";
    assertThat(
            new AndroidFormat()
                .read(
                    json(
                        sent,
                        Map.of("X-Timestamp", "" + NOW, "X-Signature", hmacHex("k", sent + NOW))),
                    new GatewaySecret("k", null),
                    NOW))
        .isEqualTo(new Inbound.Other("sms:sent"));
    // The signature is checked before the body is read: a forged body is a 401, not a 400.
    assertThatThrownBy(
            () ->
                new AndroidFormat()
                    .read(
                        json("{", Map.of("X-Timestamp", "" + NOW, "X-Signature", "00")),
                        new GatewaySecret("k", null),
                        NOW))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(401));
  }

  @Test
  void vonageReadsAJsonPostAndRefusesAPartOutOfRange() {
    Map<String, String> params = new HashMap<>();
    params.put("msisdn", "447700900001");
    params.put("to", "12125550100");
    params.put("messageId", "0A0000000123ABCD1");
    params.put("text", "a=b&c");
    params.put("timestamp", "" + NOW);
    params.put("type", "text");
    String sig = VonageFormat.signature("s", "sha512", params);
    StringBuilder body = new StringBuilder("{");
    params.forEach((k, v) -> body.append('"').append(k).append("\":\"").append(v).append("\","));
    body.append("\"sig\":\"").append(sig.toUpperCase(java.util.Locale.ROOT)).append("\"}");
    Inbound read =
        new VonageFormat()
            .read(
                json(body.toString(), Map.of("Content-Type", "application/json")),
                new GatewaySecret("s", "sha512"),
                NOW);
    assertThat(((Inbound.Sms) read).text()).isEqualTo("a=b&c");

    params.put("concat", "true");
    params.put("concat-ref", "9");
    params.put("concat-total", "2");
    params.put("concat-part", "3");
    params.put("sig", VonageFormat.signature("s", null, params));
    Posted form = new Posted("POST", "https://x/y", Map.of(), new byte[0], params);
    assertThatThrownBy(() -> new VonageFormat().read(form, new GatewaySecret("s", null), NOW))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(400));
  }

  @Test
  void plivoTakesAnyOfTheSignaturesOfRotatedTokens() {
    Map<String, String> params =
        Map.of("From", "14155550100", "To", "12125550100", "Text", "hi", "MessageUUID", "u1");
    String url = "https://otp.example.com/api/v1/inbound/g";
    String current = PlivoFormat.signature("new-token", url, params, "n1");
    String old = PlivoFormat.signature("old-token", url, params, "n1");
    Posted post =
        new Posted(
            "POST",
            url,
            Map.of(
                "x-plivo-signature-v3", old + ", " + current, "x-plivo-signature-v3-nonce", "n1"),
            new byte[0],
            params);
    assertThat(new PlivoFormat().read(post, new GatewaySecret("new-token", null), NOW))
        .isInstanceOf(Inbound.Sms.class);
  }
}
