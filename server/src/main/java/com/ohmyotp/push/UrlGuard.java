package com.ohmyotp.push;

import com.ohmyotp.api.ApiException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Keeps webhook deliveries from reaching into the network the server runs in: an endpoint must use
 * https and may not resolve to a loopback, private, link-local (cloud metadata among them),
 * multicast or unspecified address. Checked when the endpoint is registered, and again for every
 * connection ({@link #addressesFor}), so a name that later resolves elsewhere (DNS rebinding) is
 * refused then. The operator may allow listed hosts ({@code OHMYOTP_WEBHOOK_ALLOW_HOSTS}), which
 * may also use plain http.
 */
public final class UrlGuard {

  /** The longest URL an endpoint may have. */
  public static final int MAX_URL = 2000;

  private final Set<String> allowedHosts;

  /** Thrown for a connection to an address the rules forbid. */
  public static final class ForbiddenAddress extends java.io.IOException {
    ForbiddenAddress(String message) {
      super(message);
    }
  }

  public UrlGuard(Set<String> allowedHosts) {
    this.allowedHosts =
        allowedHosts.stream()
            .map(h -> h.strip().toLowerCase(Locale.ROOT))
            .filter(h -> !h.isEmpty())
            .collect(Collectors.toUnmodifiableSet());
  }

  /**
   * The URL of an endpoint being registered, checked against the rules.
   *
   * @throws ApiException 400 when it is not a URL, 422 naming the rule it breaks
   */
  public URI check(String url) {
    if (url == null || url.isBlank()) {
      throw ApiException.badRequest("missing_field", "Field 'url' is required.");
    }
    if (url.length() > MAX_URL) {
      throw ApiException.badRequest(
          "invalid_field", "Field 'url' has at most " + MAX_URL + " characters.");
    }
    URI uri;
    try {
      uri = new URI(url.strip());
    } catch (URISyntaxException e) {
      throw ApiException.badRequest("invalid_field", "Field 'url' is not a URL.");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("https") && !scheme.equals("http") || uri.getHost() == null) {
      throw ApiException.badRequest(
          "invalid_field", "Field 'url' must be an absolute https URL with a host.");
    }
    if (uri.getRawUserInfo() != null) {
      throw ApiException.unprocessable(
          "webhook_url_has_credentials",
          "A webhook URL may not carry a user name or password; sign-in is by the signature.");
    }
    if (uri.getRawFragment() != null) {
      throw ApiException.badRequest("invalid_field", "Field 'url' may not have a fragment (#).");
    }
    String host = host(uri);
    boolean allowed = allowedHosts.contains(host);
    if (scheme.equals("http") && !allowed) {
      throw ApiException.unprocessable("webhook_url_not_https", "A webhook URL must use https.");
    }
    if (allowed) {
      return uri;
    }
    InetAddress[] addresses;
    try {
      addresses = InetAddress.getAllByName(host);
    } catch (UnknownHostException e) {
      throw ApiException.unprocessable(
          "webhook_url_unresolvable", "The webhook URL's host " + host + " does not resolve.");
    }
    for (InetAddress address : addresses) {
      forbidden(address)
          .ifPresent(
              what -> {
                throw ApiException.unprocessable(
                    "webhook_url_forbidden_address",
                    "The webhook URL's host resolves to a "
                        + what
                        + " address; webhooks go to public addresses only.");
              });
    }
    return uri;
  }

  /**
   * The addresses a delivery to {@code host} may connect to: all it resolves to now, or none.
   *
   * @throws ForbiddenAddress when any is one the rules forbid
   */
  public List<InetAddress> addressesFor(String host) throws UnknownHostException, ForbiddenAddress {
    String name = host.toLowerCase(Locale.ROOT);
    List<InetAddress> addresses = Arrays.asList(InetAddress.getAllByName(name));
    if (allowedHosts.contains(name)) {
      return addresses;
    }
    for (InetAddress address : addresses) {
      Optional<String> what = forbidden(address);
      if (what.isPresent()) {
        throw new ForbiddenAddress(
            host + " resolves to a " + what.get() + " address: not delivered");
      }
    }
    return addresses;
  }

  /** Whether {@code uri} may use plain http: its host is one the operator allowed. */
  public boolean allows(URI uri) {
    return allowedHosts.contains(host(uri));
  }

  private static String host(URI uri) {
    String host = uri.getHost().toLowerCase(Locale.ROOT);
    // An IPv6 literal comes in brackets.
    return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
  }

  /** What kind of forbidden address {@code a} is, if it is one. */
  static Optional<String> forbidden(InetAddress a) {
    if (a instanceof Inet6Address v6) {
      byte[] b = v6.getAddress();
      boolean v4Mapped = true;
      for (int i = 0; i < 10; i++) {
        v4Mapped &= b[i] == 0;
      }
      v4Mapped &= (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
      if (v4Mapped) {
        try {
          return forbidden(InetAddress.getByAddress(Arrays.copyOfRange(b, 12, 16)));
        } catch (UnknownHostException e) {
          throw new IllegalStateException("four bytes are an IPv4 address", e);
        }
      }
      if ((b[0] & 0xfe) == 0xfc) {
        return Optional.of("private (unique local)");
      }
    }
    if (a.isLoopbackAddress()) {
      return Optional.of("loopback");
    }
    if (a.isAnyLocalAddress()) {
      return Optional.of("unspecified");
    }
    if (a.isLinkLocalAddress()) {
      return Optional.of(
          a.getHostAddress().equals("169.254.169.254")
              ? "cloud metadata (link-local)"
              : "link-local");
    }
    if (a.isSiteLocalAddress()) {
      return Optional.of("private");
    }
    if (a.isMulticastAddress()) {
      return Optional.of("multicast");
    }
    if (a instanceof Inet4Address) {
      byte[] b = a.getAddress();
      int first = b[0] & 0xff;
      int second = b[1] & 0xff;
      if (first == 0) {
        return Optional.of("unspecified");
      }
      if (first == 100 && second >= 64 && second <= 127) {
        return Optional.of("private (shared address space)");
      }
      if (first == 255) {
        return Optional.of("broadcast");
      }
      if (first == 198 && (second == 18 || second == 19)) {
        return Optional.of("private (benchmarking)");
      }
    }
    return Optional.empty();
  }
}
