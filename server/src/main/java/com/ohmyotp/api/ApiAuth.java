package com.ohmyotp.api;

import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Locale;

/**
 * Wraps route handlers with authentication: customer routes take an API key (and its rate limit),
 * operator routes take the admin token. Handlers receive the {@link Caller}; the Javalin context
 * carries nothing else about who is calling.
 */
public final class ApiAuth {

  /** A customer route's logic, given the authenticated caller. */
  @FunctionalInterface
  public interface CustomerHandler {
    void handle(Context ctx, Caller caller) throws Exception;
  }

  private final KeyAuthenticator keys;
  private final RateLimiter rateLimiter;
  private final byte[] adminToken;

  public ApiAuth(KeyAuthenticator keys, RateLimiter rateLimiter, String adminToken) {
    this.keys = keys;
    this.rateLimiter = rateLimiter;
    this.adminToken = adminToken.getBytes(StandardCharsets.UTF_8);
  }

  public Handler customer(CustomerHandler handler) {
    return ctx -> {
      String presented = bearer(ctx);
      Caller caller =
          keys.authenticate(presented)
              .orElseThrow(
                  () -> ApiException.unauthorized("invalid_api_key", "That API key is not valid."));
      RateLimiter.Decision decision = rateLimiter.acquire(caller.apiKeyId());
      decision.headers().forEach(ctx::header);
      if (!decision.allowed()) {
        throw new ApiException(
            429,
            "rate_limited",
            "Too many requests; retry after the number of seconds in Retry-After.",
            decision.headers());
      }
      handler.handle(ctx, caller);
    };
  }

  /**
   * The caller a presented API key belongs to, for routes that take the key elsewhere than in the
   * Authorization header (the SMS-Activate protocol's {@code api_key}).
   */
  public java.util.Optional<Caller> caller(String presented) {
    return keys.authenticate(presented);
  }

  /**
   * Takes one request from the rate limit of the caller's key, the limit the customer routes share;
   * the decision's headers are to be sent whether or not it allows the request.
   */
  public RateLimiter.Decision rateLimit(Caller caller) {
    return rateLimiter.acquire(caller.apiKeyId());
  }

  public Handler admin(Handler handler) {
    return ctx -> {
      byte[] presented = bearer(ctx).getBytes(StandardCharsets.UTF_8);
      if (!MessageDigest.isEqual(presented, adminToken)) {
        throw ApiException.unauthorized("invalid_admin_token", "That admin token is not valid.");
      }
      handler.handle(ctx);
    };
  }

  private static String bearer(Context ctx) {
    String header = ctx.header("Authorization");
    if (header == null || header.isBlank()) {
      throw ApiException.unauthorized(
          "missing_api_key", "Pass your API key in the Authorization header: Bearer omo_live_...");
    }
    String trimmed = header.trim();
    if (trimmed.length() < 7
        || !trimmed.substring(0, 7).toLowerCase(Locale.ROOT).equals("bearer ")) {
      throw ApiException.unauthorized(
          "invalid_api_key", "The Authorization header must be: Bearer <key>.");
    }
    return trimmed.substring(7).trim();
  }
}
