package com.ohmyotp.gateways;

import com.ohmyotp.api.ApiException;
import java.net.URI;
import java.util.Arrays;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** What each field of a gateway may be: every check answers a 400 that names the field. */
final class GatewayFields {

  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,39}");
  private static final Set<String> VONAGE_METHODS =
      Set.of("md5hash", "md5", "sha1", "sha256", "sha512");

  /** Names that the inbound path has for itself. */
  private static final Set<String> RESERVED = Set.of("sms");

  private GatewayFields() {}

  static String checkName(String name) {
    if (name == null || name.isBlank()) {
      throw ApiException.badRequest("missing_field", "Field 'name' is required.");
    }
    String n = name.strip();
    if (!NAME.matcher(n).matches()) {
      throw ApiException.badRequest(
          "invalid_field",
          "A gateway's name is 1 to 40 lower-case letters, digits, '_' or '-': it is part of its"
              + " URL.");
    }
    if (RESERVED.contains(n)) {
      throw ApiException.badRequest(
          "invalid_field", "'" + n + "' is the generic webhook's path: choose another name.");
    }
    return n;
  }

  static GatewayKind checkKind(String kind) {
    if (kind == null) {
      throw ApiException.badRequest("missing_field", "Field 'kind' is required.");
    }
    return GatewayKind.of(kind)
        .orElseThrow(
            () ->
                ApiException.badRequest(
                    "invalid_field",
                    "Field 'kind' is one of "
                        + Arrays.stream(GatewayKind.values())
                            .map(GatewayKind::wireName)
                            .collect(Collectors.joining(", "))
                        + "."));
  }

  static String checkSecret(String secret) {
    if (secret == null || secret.isEmpty()) {
      throw ApiException.badRequest(
          "missing_field",
          "Field 'secret' is required: the signing key, auth token or signature secret its sender"
              + " signs with.");
    }
    if (secret.length() > 500) {
      throw ApiException.badRequest("invalid_field", "Field 'secret' has at most 500 characters.");
    }
    return secret;
  }

  static String checkUrl(String url) {
    if (url == null) {
      return null;
    }
    try {
      URI uri = URI.create(url.strip());
      if (url.length() <= 500
          && uri.getHost() != null
          && uri.getUserInfo() == null
          && uri.getFragment() == null
          && ("https".equals(uri.getScheme()) || "http".equals(uri.getScheme()))) {
        return uri.toString();
      }
    } catch (IllegalArgumentException e) {
      // Refused below, as every other malformed URL.
    }
    throw ApiException.badRequest(
        "invalid_field",
        "Field 'public_url' is the full http(s) URL the sender calls, without credentials.");
  }

  static String checkSignatureMethod(GatewayKind kind, String method) {
    if (method == null) {
      return null;
    }
    if (kind != GatewayKind.VONAGE || !VONAGE_METHODS.contains(method)) {
      throw ApiException.badRequest(
          "invalid_field",
          "Field 'signature_method' is for Vonage gateways: md5hash, md5, sha1, sha256 or sha512.");
    }
    return method;
  }

  static int checkSilentMinutes(Integer minutes) {
    if (minutes == null) {
      return 360;
    }
    if (minutes < 0 || minutes > 525_600) {
      throw ApiException.badRequest(
          "invalid_field", "Field 'silent_minutes' is 0 (never marked down) to 525600 (a year).");
    }
    return minutes;
  }
}
