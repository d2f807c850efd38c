package com.ohmyotp.rentals;

import com.ohmyotp.api.ApiException;
import com.ohmyotp.db.Database;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * Idempotency keys for requests that create rentals. A key is claimed in its own transaction before
 * the work starts; the rental's transaction stores the response with it, so a replay gets exactly
 * the original answer and a crash never leaves a charged rental without its key.
 */
public final class IdempotencyKeys {

  static final int MIN_LENGTH = 8;
  static final int MAX_LENGTH = 255;
  static final long RETENTION_SECONDS = 24 * 3600;

  /** A claim with no answer after this long belongs to a request that died; it may be retaken. */
  static final long ABANDONED_AFTER_SECONDS = 120;

  private final Database db;

  public IdempotencyKeys(Database db) {
    this.db = db;
  }

  /** The stored answer of a completed request. */
  record Replay(int status, String body) {}

  static String check(String key) {
    if (key == null || key.isEmpty()) {
      throw ApiException.badRequest(
          "missing_idempotency_key", "Pass an idempotency_key of 8 to 255 characters.");
    }
    if (key.length() < MIN_LENGTH
        || key.length() > MAX_LENGTH
        || key.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
      throw ApiException.badRequest(
          "invalid_idempotency_key", "An idempotency key has 8 to 255 printable ASCII characters.");
    }
    return key;
  }

  static String fingerprint(String... parts) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      for (String part : parts) {
        digest.update(part.getBytes(StandardCharsets.UTF_8));
        digest.update((byte) 0);
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Claims the key for a new request, or returns the answer to replay.
   *
   * @throws ApiException 422 when the key was used with another request, 409 while the first
   *     request with this key is still running
   */
  Optional<Replay> begin(long accountId, String key, String fingerprint, long now) {
    return db.inTransaction(
        h -> {
          h.createUpdate(
                  """
              DELETE FROM idempotency_keys WHERE account_id = :account AND idem_key = :key
                AND (created_at <= :expired OR (response_status IS NULL AND created_at <= :abandoned))
              """)
              .bind("account", accountId)
              .bind("key", key)
              .bind("expired", now - RETENTION_SECONDS)
              .bind("abandoned", now - ABANDONED_AFTER_SECONDS)
              .execute();
          int inserted;
          try {
            inserted =
                h.createUpdate(
                        """
                INSERT INTO idempotency_keys (account_id, idem_key, request_hash, created_at)
                SELECT :account, :key, :hash, :now
                WHERE NOT EXISTS (SELECT 1 FROM idempotency_keys WHERE account_id = :account AND idem_key = :key)
                """)
                    .bind("account", accountId)
                    .bind("key", key)
                    .bind("hash", fingerprint)
                    .bind("now", now)
                    .execute();
          } catch (RuntimeException e) {
            if (Database.isUniqueViolation(e)) {
              // A concurrent request claimed the key first; run again to read its claim.
              throw new Database.RetryableConflict("idempotency key claimed concurrently");
            }
            throw e;
          }
          if (inserted == 1) {
            return Optional.<Replay>empty();
          }
          var row =
              h.createQuery(
                      "SELECT request_hash, response_status, response_body FROM idempotency_keys WHERE account_id = :account AND idem_key = :key")
                  .bind("account", accountId)
                  .bind("key", key)
                  .mapToMap()
                  .findOne()
                  .orElseThrow(() -> new Database.RetryableConflict("idempotency key vanished"));
          if (!fingerprint.equals(row.get("request_hash"))) {
            throw ApiException.unprocessable(
                "idempotency_key_reused",
                "This idempotency key was used with a different request.");
          }
          Object status = row.get("response_status");
          if (status == null) {
            throw ApiException.conflict(
                "idempotency_key_in_use",
                "A request with this idempotency key is still being processed.");
          }
          return Optional.of(
              new Replay(((Number) status).intValue(), (String) row.get("response_body")));
        });
  }

  /** Stores the answer, inside the transaction that did the work. */
  void complete(Handle h, long accountId, String key, String rentalId, int status, String body) {
    h.createUpdate(
            """
            UPDATE idempotency_keys SET rental_id = :rental, response_status = :status, response_body = :body
            WHERE account_id = :account AND idem_key = :key
            """)
        .bind("rental", rentalId)
        .bind("status", status)
        .bind("body", body)
        .bind("account", accountId)
        .bind("key", key)
        .execute();
  }

  /** Frees the key of a request that failed, so the client can retry with it. */
  void abandon(long accountId, String key) {
    db.inTransaction(
        h ->
            h.createUpdate(
                    "DELETE FROM idempotency_keys WHERE account_id = :account AND idem_key = :key AND response_status IS NULL")
                .bind("account", accountId)
                .bind("key", key)
                .execute());
  }

  /** Deletes keys past their retention; run by the sweep. */
  int purge(long now) {
    return db.inTransaction(
        h ->
            h.createUpdate("DELETE FROM idempotency_keys WHERE created_at <= :cutoff")
                .bind("cutoff", now - RETENTION_SECONDS)
                .execute());
  }
}
