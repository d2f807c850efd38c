package com.ohmyotp.accounts;

import java.util.Optional;

/**
 * The SMTP server that sends the service's mail (password resets), and the site's public address
 * that links in mail point to — never the Host a request named, which anyone can forge. The
 * password never appears in {@link #toString()}.
 *
 * @param security {@code starttls} (upgrade a plain connection, port 587), {@code tls} (TLS from
 *     the start, port 465) or {@code none} (a relay on the same machine)
 */
public record MailSettings(
    String host,
    int port,
    Optional<String> user,
    Optional<String> password,
    String security,
    String from,
    String publicUrl) {

  @Override
  public String toString() {
    return "MailSettings[host=" + host + ", port=" + port + ", security=" + security + "]";
  }
}
