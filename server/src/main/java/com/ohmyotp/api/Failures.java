package com.ohmyotp.api;

import java.sql.SQLTransientConnectionException;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.io.EofException;

/**
 * What an exception that reached the HTTP layer says about whose fault it was: the database away
 * (503, retry), the client's body (400), or a bug (500).
 */
public final class Failures {

  private Failures() {}

  /**
   * Whether {@code e} means the database cannot be reached right now (pool timeout, refused or
   * broken connection, a server shutting down or starting up, no connection slots left, a statement
   * cancelled by the server's statement_timeout) rather than a bug: that is a 503 the client may
   * retry, not a 500.
   */
  public static boolean isDatabaseUnavailable(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLTransientConnectionException || t instanceof java.net.ConnectException) {
        return true;
      }
      if (t instanceof java.sql.SQLException sql && isConnectionFailure(sql)) {
        return true;
      }
      for (Throwable suppressed : t.getSuppressed()) {
        if (isDatabaseUnavailable(suppressed)) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * Whether {@code e} is a failure the client may simply retry: the database unavailable, or a
   * transaction that kept colliding with others ({@link
   * com.ohmyotp.db.Database.RetryableConflict}).
   */
  public static boolean isTemporary(Throwable e) {
    return e instanceof com.ohmyotp.db.Database.RetryableConflict || isDatabaseUnavailable(e);
  }

  private static boolean isConnectionFailure(java.sql.SQLException e) {
    String state = e.getSQLState();
    if (state != null) {
      return state.startsWith("08")
          || state.startsWith("57P")
          || state.equals("53300")
          || state.equals("57014");
    }
    // The pool closes a connection it saw break; a later call on it in the same request fails
    // with this message and no SQL state.
    return "Connection is closed".equals(e.getMessage());
  }

  /**
   * A body the client sent malformed or cut short (bad chunk sizes, a connection closed within it),
   * found while a handler read it: the client's error, not ours.
   */
  static boolean isMalformedBody(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof HttpException h && h.getCode() >= 400 && h.getCode() < 500) {
        return true;
      }
      if (t instanceof EofException) {
        return true;
      }
    }
    return false;
  }

  static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    return root.toString();
  }
}
