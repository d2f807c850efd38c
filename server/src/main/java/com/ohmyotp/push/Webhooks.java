package com.ohmyotp.push;

import com.ohmyotp.api.ApiException;
import com.ohmyotp.crypto.SecretBox;
import com.ohmyotp.db.Database;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jdbi.v3.core.Handle;

/**
 * A customer's webhook endpoints and their deliveries: registering (the secret shown once, sealed
 * at rest), listing, removing and rotating secrets; the delivery log; a test event and the replay
 * of a failed delivery. The deliveries of events are written by {@link EventLog} with the event.
 *
 * <p>Past 300 lines as the store of one pair of tables, endpoints and their deliveries: each method
 * is one operation of the API.
 */
public final class Webhooks {

  /** The most endpoints one account may register. */
  public static final int MAX_ENDPOINTS = 10;

  /** How long a rotated-out secret keeps signing beside the new one. */
  public static final long ROTATION_OVERLAP_SECONDS = 24 * 3600;

  /** The type of a delivery sent by "send a test event". */
  public static final String TEST_TYPE = "webhook.test";

  /**
   * A delivery of the rental event just written ({@code :rental}'s newest) to each of the account's
   * enabled endpoints that asked for {@code :event}.
   */
  static final String DELIVERIES_OF_RENTAL_EVENT =
      """
      INSERT INTO webhook_deliveries (endpoint_id, event_id, type, state, attempts, next_attempt_at,
                                      created_at)
      SELECT w.id, (SELECT MAX(e.id) FROM rental_events e WHERE e.rental_id = :rental), :event,
             'pending', 0, :now_ms, :now
      FROM webhook_endpoints w
      WHERE w.account_id = (SELECT r.account_id FROM rentals r WHERE r.id = :rental)
        AND w.enabled AND w.events LIKE :pattern
      """;

  /** The same for a {@code balance.low} event, written only when the charge crossed the line. */
  static final String DELIVERIES_OF_LOW_BALANCE =
      """
      INSERT INTO webhook_deliveries (endpoint_id, event_id, type, state, attempts, next_attempt_at,
                                      created_at)
      SELECT w.id,
             (SELECT MAX(e.id) FROM rental_events e
              WHERE e.account_id = :account AND e.type = :event),
             :event, 'pending', 0, :now_ms, :now
      FROM webhook_endpoints w JOIN accounts a ON a.id = w.account_id
      WHERE w.account_id = :account AND w.enabled AND w.events LIKE :pattern
        AND a.balance < :threshold AND a.balance + :charged >= :threshold
      """;

  static String pattern(EventType type) {
    return "%," + type.wire() + ",%";
  }

  /** An endpoint as its owner sees it: never its secret. */
  public record Endpoint(
      String id,
      long accountId,
      String url,
      List<String> events,
      boolean enabled,
      String disabledReason,
      long createdAt) {}

  /** An endpoint just registered, or whose secret was just rotated: the secret, shown this once. */
  public record WithSecret(Endpoint endpoint, String secret) {}

  /** What a delivery needs to be sent: where, with which secrets, and what. */
  record Target(
      long deliveryId,
      String endpointId,
      long accountId,
      String url,
      List<String> secrets,
      String type,
      Long eventId,
      int attempts,
      long createdAt) {}

  /** One delivery in the log. */
  public record Delivery(
      long id,
      Long eventId,
      String type,
      String state,
      int attempts,
      Long nextAttemptAt,
      Integer lastStatus,
      String lastError,
      long createdAt,
      Long finishedAt) {}

  private static final SecureRandom RANDOM = new SecureRandom();

  private final Database db;
  private final SecretBox secrets;
  private final UrlGuard guard;
  private final Clock clock;

  public Webhooks(Database db, SecretBox secrets, UrlGuard guard, Clock clock) {
    this.db = db;
    this.secrets = secrets;
    this.guard = guard;
    this.clock = clock;
  }

  /**
   * Registers an endpoint for the account.
   *
   * @throws ApiException 400 for a missing or unknown event type, 422 for a URL the rules refuse,
   *     409 when the account has {@link #MAX_ENDPOINTS} already
   */
  public WithSecret create(long accountId, String url, List<String> events) {
    List<String> types = eventTypes(events);
    URI uri = guard.check(url);
    String secret = newSecret();
    String sealed = secrets.seal(secret);
    long now = clock.instant().getEpochSecond();
    String id = UUID.randomUUID().toString();
    db.inTransaction(
        h -> {
          // The account's row, locked, orders two registrations at once against the limit.
          h.createQuery("SELECT id FROM accounts WHERE id = :id FOR UPDATE")
              .bind("id", accountId)
              .mapTo(Long.class)
              .one();
          long count =
              h.createQuery("SELECT COUNT(*) FROM webhook_endpoints WHERE account_id = :a")
                  .bind("a", accountId)
                  .mapTo(Long.class)
                  .one();
          if (count >= MAX_ENDPOINTS) {
            throw ApiException.conflict(
                "webhook_limit",
                "An account has at most "
                    + MAX_ENDPOINTS
                    + " webhook endpoints; delete one first.");
          }
          h.createUpdate(
                  """
                  INSERT INTO webhook_endpoints (id, account_id, url, events, secret, enabled,
                                                 created_at)
                  VALUES (:id, :account, :url, :events, :secret, TRUE, :now)
                  """)
              .bind("id", id)
              .bind("account", accountId)
              .bind("url", uri.toString())
              .bind("events", "," + String.join(",", types) + ",")
              .bind("secret", sealed)
              .bind("now", now)
              .execute();
          return null;
        });
    return new WithSecret(
        new Endpoint(id, accountId, uri.toString(), types, true, null, now), secret);
  }

  /** The account's endpoints, oldest first. */
  public List<Endpoint> list(long accountId) {
    return db.read(
        h ->
            h.createQuery(
                    "SELECT * FROM webhook_endpoints WHERE account_id = :a ORDER BY created_at, id")
                .bind("a", accountId)
                .map((rs, ctx) -> endpoint(rs))
                .list());
  }

  /**
   * One of the account's endpoints.
   *
   * @throws ApiException 404 when the account has no endpoint of that id
   */
  public Endpoint require(long accountId, String id) {
    return db.read(h -> find(h, accountId, id))
        .orElseThrow(
            () -> ApiException.notFound("webhook_not_found", "There is no webhook of that id."));
  }

  /** Removes the endpoint and its deliveries; what is being sent now is not retried. */
  public void delete(long accountId, String id) {
    require(accountId, id);
    db.inTransaction(
        h -> {
          h.createUpdate(
                  "DELETE FROM webhook_attempts WHERE delivery_id IN"
                      + " (SELECT d.id FROM webhook_deliveries d WHERE d.endpoint_id = :id)")
              .bind("id", id)
              .execute();
          h.createUpdate("DELETE FROM webhook_deliveries WHERE endpoint_id = :id")
              .bind("id", id)
              .execute();
          return h.createUpdate("DELETE FROM webhook_endpoints WHERE id = :id AND account_id = :a")
              .bind("id", id)
              .bind("a", accountId)
              .execute();
        });
  }

  /**
   * A new secret for the endpoint; the previous one keeps signing beside it for {@link
   * #ROTATION_OVERLAP_SECONDS}.
   */
  public WithSecret rotate(long accountId, String id) {
    Endpoint endpoint = require(accountId, id);
    String secret = newSecret();
    long now = clock.instant().getEpochSecond();
    db.inTransaction(
        h ->
            h.createUpdate(
                    """
                    UPDATE webhook_endpoints
                    SET previous_secret = secret, previous_secret_until = :until, secret = :secret
                    WHERE id = :id AND account_id = :a
                    """)
                .bind("until", now + ROTATION_OVERLAP_SECONDS)
                .bind("secret", secrets.seal(secret))
                .bind("id", id)
                .bind("a", accountId)
                .execute());
    return new WithSecret(endpoint, secret);
  }

  /** Turns a disabled endpoint on again; deliveries of events from now on are sent to it. */
  public Endpoint enable(long accountId, String id) {
    require(accountId, id);
    db.inTransaction(
        h ->
            h.createUpdate(
                    "UPDATE webhook_endpoints SET enabled = TRUE, disabled_reason = NULL"
                        + " WHERE id = :id AND account_id = :a")
                .bind("id", id)
                .bind("a", accountId)
                .execute());
    return require(accountId, id);
  }

  /** Queues a {@value #TEST_TYPE} delivery to the endpoint, sent at once; returns its id. */
  public long sendTest(long accountId, String id) {
    require(accountId, id);
    long now = clock.millis();
    return db.inTransaction(
        h ->
            h.createUpdate(
                    """
                    INSERT INTO webhook_deliveries (endpoint_id, type, state, attempts,
                                                    next_attempt_at, created_at)
                    VALUES (:id, :type, 'pending', 0, :now_ms, :now)
                    """)
                .bind("id", id)
                .bind("type", TEST_TYPE)
                .bind("now_ms", now)
                .bind("now", now / 1000)
                .executeAndReturnGeneratedKeys("id")
                .mapTo(Long.class)
                .one());
  }

  /**
   * Sends a failed delivery again, from its first attempt.
   *
   * @throws ApiException 404 for a delivery the endpoint does not have, 409 for one that has not
   *     failed
   */
  public Delivery replay(long accountId, String endpointId, long deliveryId) {
    require(accountId, endpointId);
    long now = clock.millis();
    int changed =
        db.inTransaction(
            h ->
                h.createUpdate(
                        """
                        UPDATE webhook_deliveries
                        SET state = 'pending', attempts = 0, next_attempt_at = :now_ms,
                            claimed_until = NULL, finished_at = NULL
                        WHERE id = :id AND endpoint_id = :endpoint AND state = 'failed'
                        """)
                    .bind("now_ms", now)
                    .bind("id", deliveryId)
                    .bind("endpoint", endpointId)
                    .execute());
    Delivery delivery =
        deliveries(accountId, endpointId, Long.MAX_VALUE, Integer.MAX_VALUE).stream()
            .filter(d -> d.id() == deliveryId)
            .findFirst()
            .orElseThrow(
                () ->
                    ApiException.notFound(
                        "delivery_not_found", "This webhook has no delivery of that id."));
    if (changed == 0) {
      throw ApiException.conflict(
          "delivery_not_failed",
          "Only a failed delivery can be sent again; this one is " + delivery.state() + ".");
    }
    return delivery;
  }

  /** The endpoint's deliveries before {@code beforeId}, newest first. */
  public List<Delivery> deliveries(long accountId, String endpointId, long beforeId, int limit) {
    require(accountId, endpointId);
    return db.read(
        h ->
            h.createQuery(
                    """
                    SELECT * FROM webhook_deliveries
                    WHERE endpoint_id = :endpoint AND id < :before
                    ORDER BY id DESC LIMIT :limit
                    """)
                .bind("endpoint", endpointId)
                .bind("before", beforeId)
                .bind("limit", limit)
                .map(
                    (rs, ctx) -> {
                      String state = rs.getString("state");
                      long last = rs.getLong("last_status");
                      Integer lastStatus = rs.wasNull() ? null : (int) last;
                      long finished = rs.getLong("finished_at");
                      Long finishedAt = rs.wasNull() ? null : finished;
                      long event = rs.getLong("event_id");
                      Long eventId = rs.wasNull() ? null : event;
                      return new Delivery(
                          rs.getLong("id"),
                          eventId,
                          rs.getString("type"),
                          state,
                          rs.getInt("attempts"),
                          state.equals("pending") ? rs.getLong("next_attempt_at") / 1000 : null,
                          lastStatus,
                          rs.getString("last_error"),
                          rs.getLong("created_at"),
                          finishedAt);
                    })
                .list());
  }

  /**
   * The sealed secrets that sign for an endpoint now, newest first: its secret, and the one it
   * replaced while their overlap lasts.
   */
  List<String> signing(String sealed, String previousSealed, Long previousUntil) {
    List<String> all = new ArrayList<>();
    all.add(sealed);
    if (previousSealed != null
        && previousUntil != null
        && previousUntil > clock.instant().getEpochSecond()) {
      all.add(previousSealed);
    }
    return all;
  }

  /** A sealed secret, opened. */
  String open(String sealed) {
    return secrets.open(sealed);
  }

  private Optional<Endpoint> find(Handle h, long accountId, String id) {
    return h.createQuery("SELECT * FROM webhook_endpoints WHERE id = :id AND account_id = :a")
        .bind("id", id)
        .bind("a", accountId)
        .map((rs, ctx) -> endpoint(rs))
        .findOne();
  }

  private static Endpoint endpoint(java.sql.ResultSet rs) throws java.sql.SQLException {
    return new Endpoint(
        rs.getString("id"),
        rs.getLong("account_id"),
        rs.getString("url"),
        Arrays.stream(rs.getString("events").split(",")).filter(s -> !s.isEmpty()).toList(),
        rs.getBoolean("enabled"),
        rs.getString("disabled_reason"),
        rs.getLong("created_at"));
  }

  private static List<String> eventTypes(List<String> events) {
    if (events == null || events.isEmpty()) {
      throw ApiException.badRequest(
          "missing_field",
          "Field 'events' lists the events to send: sms.received, rental.completed,"
              + " rental.expired, rental.cancelled, balance.low.");
    }
    Set<String> types = new LinkedHashSet<>();
    for (String e : events) {
      EventType type =
          EventType.fromWire(e == null ? "" : e)
              .orElseThrow(
                  () ->
                      ApiException.badRequest(
                          "invalid_field",
                          "'"
                              + e
                              + "' is not an event; the events are sms.received,"
                              + " rental.completed, rental.expired, rental.cancelled and"
                              + " balance.low."));
      types.add(type.wire());
    }
    return List.copyOf(types);
  }

  /** A secret as Standard Webhooks writes one: {@code whsec_} and 32 random bytes in base64. */
  static String newSecret() {
    byte[] key = new byte[32];
    RANDOM.nextBytes(key);
    return "whsec_" + Base64.getEncoder().encodeToString(key);
  }
}
