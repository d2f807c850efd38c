package com.ohmyotp.api;

import io.javalin.http.Context;

/** The origin a client reached us at, as a client outside should use it in examples. */
public final class Origins {

  private Origins() {}

  /** {@code scheme://host[:port]}, honouring the proxy's {@code X-Forwarded-Proto}. */
  public static String of(Context ctx) {
    String proto = ctx.header("X-Forwarded-Proto");
    String scheme =
        proto != null && (proto.equals("https") || proto.equals("http")) ? proto : ctx.scheme();
    String host = ctx.host() == null ? "localhost" : ctx.host();
    return scheme + "://" + host.replaceAll("[^A-Za-z0-9.:\\[\\]-]", "");
  }
}
