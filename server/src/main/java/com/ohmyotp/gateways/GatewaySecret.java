package com.ohmyotp.gateways;

/**
 * A gateway's secret, opened for one check: the signing key, auth token or signature secret its
 * sender signs with. Never logged: its {@code toString} hides it.
 *
 * @param signatureMethod for Vonage, which lets the account choose: {@code md5hash} (its default),
 *     {@code md5}, {@code sha1}, {@code sha256} or {@code sha512}; null for the others
 */
public record GatewaySecret(String value, String signatureMethod) {
  @Override
  public String toString() {
    return "GatewaySecret[hidden]";
  }
}
