package com.ohmyotp.api;

import java.util.Map;

/**
 * A failure that the API reports to its caller: an HTTP status, a machine-readable snake_case
 * {@code error} code and a sentence for a person. Feature code throws it; one mapper in the HTTP
 * layer turns it into the error body.
 */
public final class ApiException extends RuntimeException {

  private final int status;
  private final String error;
  private final Map<String, String> headers;

  public ApiException(int status, String error, String message, Map<String, String> headers) {
    super(message, null, false, false);
    this.status = status;
    this.error = error;
    this.headers = Map.copyOf(headers);
  }

  public ApiException(int status, String error, String message) {
    this(status, error, message, Map.of());
  }

  public static ApiException badRequest(String error, String message) {
    return new ApiException(400, error, message);
  }

  /** 401 with the {@code WWW-Authenticate: Bearer} challenge DESIGN.md asks for. */
  public static ApiException unauthorized(String error, String message) {
    return new ApiException(401, error, message, Map.of("WWW-Authenticate", "Bearer"));
  }

  public static ApiException paymentRequired(String message) {
    return new ApiException(402, "insufficient_balance", message);
  }

  public static ApiException forbidden(String error, String message) {
    return new ApiException(403, error, message);
  }

  public static ApiException notFound(String error, String message) {
    return new ApiException(404, error, message);
  }

  public static ApiException conflict(String error, String message) {
    return new ApiException(409, error, message);
  }

  public static ApiException unprocessable(String error, String message) {
    return new ApiException(422, error, message);
  }

  /** 429 {@code rate_limited}, with the {@code Retry-After} the client should wait. */
  public static ApiException tooManyRequests(String message, java.time.Duration wait) {
    return new ApiException(
        429,
        "rate_limited",
        message,
        Map.of("Retry-After", Long.toString(Math.max(1, wait.toSeconds()))));
  }

  public int status() {
    return status;
  }

  public String error() {
    return error;
  }

  public Map<String, String> headers() {
    return headers;
  }
}
