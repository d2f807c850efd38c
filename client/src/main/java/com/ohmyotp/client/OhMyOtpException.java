package com.ohmyotp.client;

/**
 * An error answer from the API, or a server that could not be reached.
 *
 * <p>{@link #error()} is the body's machine-readable code (for example {@code
 * insufficient_balance}, {@code no_numbers_available}); {@link #status()} the HTTP status, 0 when
 * no answer came; {@link #requestId()} the server's {@code X-Request-Id}, to quote to support.
 */
public final class OhMyOtpException extends RuntimeException {

  /** The {@link #error()} of a server that could not be reached. */
  public static final String CONNECTION_FAILED = "connection_failed";

  private final int status;
  private final String error;
  private final String requestId;

  public OhMyOtpException(int status, String error, String message, String requestId) {
    super(status == 0 ? message : status + " " + error + ": " + message);
    this.status = status;
    this.error = error;
    this.requestId = requestId;
  }

  public OhMyOtpException(int status, String error, String message) {
    this(status, error, message, null);
  }

  /** The HTTP status, or 0 when the server could not be reached. */
  public int status() {
    return status;
  }

  /** The snake_case error code, e.g. {@code no_numbers_available}. */
  public String error() {
    return error;
  }

  /** The request's id as the server logged it, or null when no answer came. */
  public String requestId() {
    return requestId;
  }
}
