package com.ohmyotp.gateways;

import java.util.List;

/**
 * A gateway as the server keeps it, its secret still sealed.
 *
 * @param publicUrl the URL its sender calls, where a proxy makes it differ from the request's own
 *     (Twilio, Plivo and httpSMS sign it); null when the request's own URL is that URL
 * @param silentMinutes how long it may stay silent before it is marked down and its numbers are no
 *     longer offered; 0 never
 * @param lastSeenAt Unix seconds of its last accepted post on any node, recorded at most every few
 *     seconds; null before its first
 */
public record Gateway(
    int id,
    String name,
    GatewayKind kind,
    String sealedSecret,
    boolean autoRegister,
    String publicUrl,
    String signatureMethod,
    int silentMinutes,
    boolean down,
    Long lastSeenAt,
    long createdAt,
    List<Sim> sims) {

  /** The number behind a device's SIM slot; slot 0 stands for a device's only SIM. */
  public record Sim(String device, int slot, String e164) {}
}
