package com.ohmyotp.gateways;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.ohmyotp.api.ApiException;
import java.io.IOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/**
 * One sender's webhook as it sends it: how its post is signed and what it says. Each reads a post
 * with the gateway's secret, refusing it with 401 when the signature does not hold and 400 when the
 * body is not what that sender sends; nothing is stored before a format has said yes.
 */
public sealed interface SenderFormat
    permits AndroidFormat,
        HttpSmsFormat,
        TextbeeFormat,
        TwilioFormat,
        VonageFormat,
        PlivoFormat,
        RelayFormat {

  /**
   * Checks the post's signature and reads it.
   *
   * @param now Unix seconds, for the senders that sign a time
   * @throws ApiException 401 for a bad, missing or stale signature, 400 for a malformed body
   */
  Inbound read(Posted post, GatewaySecret secret, long now);

  /** Readers of JSON bodies, shared by the formats that post JSON. */
  final class Bodies {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Bodies() {}

    static JsonNode json(byte[] body) {
      try {
        JsonNode node = JSON.readTree(body);
        if (node == null || !node.isObject()) {
          throw malformed("The body must be a JSON object.");
        }
        return node;
      } catch (JsonProcessingException e) {
        throw malformed("The body is not valid JSON.");
      } catch (IOException e) {
        throw malformed("The body could not be read.");
      }
    }

    /** A field's text, or null when it is missing or null. */
    static String text(JsonNode node, String field) {
      JsonNode value = node == null ? null : node.get(field);
      return value == null || value.isNull() ? null : value.asText();
    }

    /** A field that must be there, though it may be empty (an SMS with no text). */
    static String present(String value, String field) {
      if (value == null) {
        throw malformed("Field '" + field + "' is required.");
      }
      return value;
    }

    static String required(String value, String field) {
      if (value == null || value.isBlank()) {
        throw malformed("Field '" + field + "' is required.");
      }
      return value;
    }

    /** An ISO-8601 time with an offset, in Unix seconds; null when absent or unreadable. */
    static Long isoSeconds(String value) {
      if (value == null || value.isBlank()) {
        return null;
      }
      try {
        return OffsetDateTime.parse(value).toEpochSecond();
      } catch (DateTimeParseException e) {
        try {
          return Instant.parse(value).getEpochSecond();
        } catch (DateTimeParseException again) {
          return null;
        }
      }
    }

    static ApiException malformed(String message) {
      return ApiException.badRequest("invalid_body", message);
    }
  }
}
