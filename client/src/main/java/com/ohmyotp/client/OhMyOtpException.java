package com.ohmyotp.client;

/**
 * An error answer from the API: the HTTP status and the body's machine-readable {@code error} code
 * (for example {@code insufficient_balance}) and message.
 */
public final class OhMyOtpException extends RuntimeException {

  private final int status;
  private final String error;

  public OhMyOtpException(int status, String error, String message) {
    super(status + " " + error + ": " + message);
    this.status = status;
    this.error = error;
  }

  /** The HTTP status, or 0 when the server could not be reached. */
  public int status() {
    return status;
  }

  /** The snake_case error code, e.g. {@code no_numbers_available}. */
  public String error() {
    return error;
  }
}
