package com.ohmyotp.accounts;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.ohmyotp.api.ApiException;
import com.ohmyotp.api.Caller;
import com.ohmyotp.api.KeyAuthenticator;
import com.ohmyotp.db.Database;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jdbi.v3.core.Handle;

/**
 * API keys: {@code omo_live_} and 40 random base62 characters. Only a SHA-256 hash is stored (the
 * keys carry 238 bits of entropy, so a slow hash adds nothing); the key itself is shown once.
 * Lookups read the database every time, so a revoked key stops working at once.
 */
public final class ApiKeys implements KeyAuthenticator {

  public static final String PREFIX = "omo_live_";
  private static final int RANDOM_CHARS = 40;
  private static final char[] BASE62 =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();

  /** Writing last_used_at on every request would turn each read into a write. */
  private static final long LAST_USED_RESOLUTION_SECONDS = 60;

  private static final MessageDigest SHA_256 = newSha256();

  private final Database db;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();
  private final ConcurrentHashMap<Long, Long> lastUsedWritten = new ConcurrentHashMap<>();

  /**
   * How long another node may go on accepting a key after it was revoked. Each node keeps the keys
   * it has seen for this long instead of reading the database on every request; the node that
   * revokes a key forgets it at once.
   */
  public static final Duration REVOCATION_BOUND = Duration.ofSeconds(1);

  /** Known keys by hash. Unknown keys are not cached: a new key works at once. */
  private final Cache<String, Caller> known =
      Caffeine.newBuilder()
          .expireAfterWrite(REVOCATION_BOUND)
          .maximumSize(100_000)
          .executor(Runnable::run) // upkeep on the caller's thread, as in RateLimiter
          .build();

  public ApiKeys(Database db, Clock clock) {
    this.db = db;
    this.clock = clock;
  }

  /** A key as issued: {@code secret} is the only copy of the key there will ever be. */
  public record IssuedKey(long id, String name, String prefix, String secret) {}

  public IssuedKey issue(long accountId, String name) {
    String checked = name == null || name.isBlank() ? "default" : name.trim();
    if (checked.length() > 100 || checked.chars().anyMatch(Character::isISOControl)) {
      throw ApiException.badRequest(
          "invalid_field", "A key name has at most 100 printable characters.");
    }
    long now = clock.instant().getEpochSecond();
    return db.inTransaction(
        h -> {
          boolean exists =
              h.createQuery("SELECT COUNT(*) FROM accounts WHERE id = :id")
                      .bind("id", accountId)
                      .mapTo(Integer.class)
                      .one()
                  > 0;
          if (!exists) {
            throw ApiException.notFound(
                "account_not_found", "There is no account " + accountId + ".");
          }
          return issue(h, accountId, checked, now);
        });
  }

  IssuedKey issue(Handle h, long accountId, String name, long now) {
    StringBuilder secret = new StringBuilder(PREFIX);
    for (int i = 0; i < RANDOM_CHARS; i++) {
      secret.append(BASE62[random.nextInt(BASE62.length)]);
    }
    String key = secret.toString();
    String prefix = key.substring(0, PREFIX.length() + 4);
    long id =
        h.createUpdate(
                """
                INSERT INTO api_keys (account_id, name, prefix, key_hash, created_at)
                VALUES (:account, :name, :prefix, :hash, :now)
                """)
            .bind("account", accountId)
            .bind("name", name)
            .bind("prefix", prefix)
            .bind("hash", hash(key))
            .bind("now", now)
            .executeAndReturnGeneratedKeys("id")
            .mapTo(Long.class)
            .one();
    return new IssuedKey(id, name, prefix, key);
  }

  @Override
  public Optional<Caller> authenticate(String presented) {
    if (!looksLikeKey(presented)) {
      return Optional.empty();
    }
    String hash = hash(presented);
    Optional<Caller> caller = Optional.ofNullable(known.getIfPresent(hash));
    if (caller.isEmpty()) {
      caller =
          db.read(
              h ->
                  h.createQuery(
                          "SELECT id, account_id FROM api_keys WHERE key_hash = :hash AND revoked_at IS NULL")
                      .bind("hash", hash)
                      .map((rs, ctx) -> new Caller(rs.getLong("account_id"), rs.getLong("id")))
                      .findOne());
      caller.ifPresent(c -> known.put(hash, c));
    }
    caller.ifPresent(this::touch);
    return caller;
  }

  /** A key as its owner sees it in Settings: never the secret, only its first characters. */
  public record KeyInfo(
      long id, String name, String prefix, long createdAt, Long lastUsedAt, Long revokedAt) {
    public boolean revoked() {
      return revokedAt != null;
    }
  }

  /** The account's keys, newest first, revoked ones included. */
  public List<KeyInfo> list(long accountId) {
    return db.read(
        h ->
            h.createQuery(
                    """
            SELECT id, name, prefix, created_at, last_used_at, revoked_at FROM api_keys
            WHERE account_id = :account ORDER BY id DESC""")
                .bind("account", accountId)
                .map(
                    (rs, ctx) ->
                        new KeyInfo(
                            rs.getLong("id"),
                            rs.getString("name"),
                            rs.getString("prefix"),
                            rs.getLong("created_at"),
                            rs.getObject("last_used_at", Long.class),
                            rs.getObject("revoked_at", Long.class)))
                .list());
  }

  /**
   * Revokes one of the account's own keys; it answers 401 from the next request on, on every node.
   *
   * @throws ApiException 404 when the account has no such key
   */
  public void revokeOwn(long accountId, long keyId) {
    boolean owned =
        db.read(
            h ->
                h.createQuery(
                            "SELECT COUNT(*) FROM api_keys WHERE id = :id AND account_id = :account")
                        .bind("id", keyId)
                        .bind("account", accountId)
                        .mapTo(Integer.class)
                        .one()
                    > 0);
    if (!owned) {
      throw ApiException.notFound("api_key_not_found", "There is no such API key.");
    }
    revoke(keyId);
  }

  /** Revokes every key of an account, in the caller's transaction; answers how many. */
  int revokeAll(Handle h, long accountId, long now) {
    int revoked =
        h.createUpdate(
                "UPDATE api_keys SET revoked_at = :now WHERE account_id = :account AND revoked_at IS NULL")
            .bind("now", now)
            .bind("account", accountId)
            .execute();
    known.asMap().values().removeIf(caller -> caller.accountId() == accountId);
    return revoked;
  }

  /**
   * Revokes a key.
   *
   * @throws ApiException 404 when there is no such key
   */
  public void revoke(long keyId) {
    long now = clock.instant().getEpochSecond();
    int updated =
        db.inTransaction(
            h ->
                h.createUpdate(
                        "UPDATE api_keys SET revoked_at = :now WHERE id = :id AND revoked_at IS NULL")
                    .bind("now", now)
                    .bind("id", keyId)
                    .execute());
    known.asMap().values().removeIf(caller -> caller.apiKeyId() == keyId);
    if (updated == 0) {
      boolean exists =
          db.read(
              h ->
                  h.createQuery("SELECT COUNT(*) FROM api_keys WHERE id = :id")
                          .bind("id", keyId)
                          .mapTo(Integer.class)
                          .one()
                      > 0);
      if (!exists) {
        throw ApiException.notFound("api_key_not_found", "There is no API key " + keyId + ".");
      }
    }
  }

  private void touch(Caller caller) {
    long now = clock.instant().getEpochSecond();
    Long written = lastUsedWritten.get(caller.apiKeyId());
    if (written != null && now - written < LAST_USED_RESOLUTION_SECONDS) {
      return;
    }
    lastUsedWritten.put(caller.apiKeyId(), now);
    db.inTransaction(
        h ->
            h.createUpdate(
                    "UPDATE api_keys SET last_used_at = :now WHERE id = :id AND (last_used_at IS NULL OR last_used_at < :now)")
                .bind("now", now)
                .bind("id", caller.apiKeyId())
                .execute());
  }

  static boolean looksLikeKey(String presented) {
    if (presented == null
        || presented.length() != PREFIX.length() + RANDOM_CHARS
        || !presented.startsWith(PREFIX)) {
      return false;
    }
    for (int i = PREFIX.length(); i < presented.length(); i++) {
      char c = presented.charAt(i);
      if (!(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z')) {
        return false;
      }
    }
    return true;
  }

  static String hash(String key) {
    byte[] digest = sha256().digest(key.getBytes(StandardCharsets.US_ASCII));
    return HexFormat.of().formatHex(digest);
  }

  /**
   * A fresh SHA-256 digest, cloned from one made at start: every API request hashes its key, and
   * looking the algorithm up among the security providers cost more than the hashing itself.
   */
  private static MessageDigest sha256() {
    try {
      return (MessageDigest) SHA_256.clone();
    } catch (CloneNotSupportedException e) {
      return newSha256();
    }
  }

  private static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
