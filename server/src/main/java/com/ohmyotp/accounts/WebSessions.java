package com.ohmyotp.accounts;

import com.ohmyotp.db.Database;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;

/**
 * Server-side website sessions. A session is a random token in an HttpOnly cookie; the database
 * keeps its hash, the account and when it lapses. Sessions live in the database, so any node
 * honours a sign-in made on another one, and signing out ends the session everywhere at once.
 */
public final class WebSessions {

  /** A session lapses after this long without a request. */
  public static final Duration IDLE = Duration.ofDays(7);

  /** And after this long whatever happens. */
  public static final Duration ABSOLUTE = Duration.ofDays(30);

  /** last_seen_at is written at most this often, so reading pages does not write every time. */
  private static final long TOUCH_SECONDS = 300;

  private static final SecureRandom RANDOM = new SecureRandom();

  private final Database db;
  private final Clock clock;

  public WebSessions(Database db, Clock clock) {
    this.db = db;
    this.clock = clock;
  }

  /** A secret token of 256 random bits, URL-safe: a session's, or a reset link's. */
  static String newToken() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** Starts a session for {@code accountId}; returns the token for the cookie. */
  public String open(long accountId) {
    String token = newToken();
    long now = clock.instant().getEpochSecond();
    db.inTransaction(
        h ->
            h.createUpdate(
                    """
            INSERT INTO web_sessions (token_hash, account_id, created_at, last_seen_at, expires_at)
            VALUES (:hash, :account, :now, :now, :expires)""")
                .bind("hash", ApiKeys.hash(token))
                .bind("account", accountId)
                .bind("now", now)
                .bind("expires", now + ABSOLUTE.toSeconds())
                .execute());
    return token;
  }

  /** The account a session token signs in, if the session is still open. */
  public Optional<Long> accountOf(String token) {
    if (token == null || token.length() != 43) {
      return Optional.empty();
    }
    long now = clock.instant().getEpochSecond();
    String hash = ApiKeys.hash(token);
    record Row(long accountId, long lastSeenAt) {}
    Optional<Row> row =
        db.read(
            h ->
                h.createQuery(
                        """
            SELECT account_id, last_seen_at FROM web_sessions
            WHERE token_hash = :hash AND expires_at > :now AND last_seen_at > :idle""")
                    .bind("hash", hash)
                    .bind("now", now)
                    .bind("idle", now - IDLE.toSeconds())
                    .map((rs, ctx) -> new Row(rs.getLong("account_id"), rs.getLong("last_seen_at")))
                    .findOne());
    row.filter(r -> now - r.lastSeenAt() >= TOUCH_SECONDS)
        .ifPresent(
            r ->
                db.inTransaction(
                    h ->
                        h.createUpdate(
                                "UPDATE web_sessions SET last_seen_at = :now WHERE token_hash = :hash")
                            .bind("now", now)
                            .bind("hash", hash)
                            .execute()));
    return row.map(Row::accountId);
  }

  /** Ends a session (signing out). */
  public void close(String token) {
    if (token != null) {
      db.inTransaction(
          h ->
              h.createUpdate("DELETE FROM web_sessions WHERE token_hash = :hash")
                  .bind("hash", ApiKeys.hash(token))
                  .execute());
    }
  }

  /** Forgets lapsed sessions; run by the background sweep. */
  public int purge() {
    long now = clock.instant().getEpochSecond();
    return db.inTransaction(
        h ->
            h.createUpdate(
                    "DELETE FROM web_sessions WHERE expires_at <= :now OR last_seen_at <= :idle")
                .bind("now", now)
                .bind("idle", now - IDLE.toSeconds())
                .execute());
  }
}
