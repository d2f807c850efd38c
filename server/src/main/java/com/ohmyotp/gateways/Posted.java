package com.ohmyotp.gateways;

import java.util.Locale;
import java.util.Map;

/**
 * A post as a gateway sent it: what every format's check and reading need, taken from the request
 * once.
 *
 * @param url the URL the sender called, as it signed it: the gateway's public URL where the
 *     operator set one (behind a proxy the request's own URL differs), else the request's own
 * @param headers by lower-case name
 * @param body the raw body, as signed
 * @param params the query's and the form's parameters (first value of each), for senders that post
 *     forms
 */
public record Posted(
    String method,
    String url,
    Map<String, String> headers,
    byte[] body,
    Map<String, String> params) {

  /** A header's value, or null. */
  public String header(String name) {
    return headers.get(name.toLowerCase(Locale.ROOT));
  }

  /** A parameter's value, or null. */
  public String param(String name) {
    return params.get(name);
  }
}
