package com.ohmyotp.catalog;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import com.ohmyotp.api.ApiException;
import com.ohmyotp.db.Database;
import com.ohmyotp.ledger.Money;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.mapper.RowMapper;

/**
 * The services customers can rent numbers for, and the operator's changes to them. Over 300 lines
 * because each field an operator sets is checked here, next to the statement that writes it.
 */
public final class Catalog {

  public static final int DEFAULT_DURATION_SECONDS = 600;
  public static final int MIN_DURATION_SECONDS = 60;
  public static final int MAX_DURATION_SECONDS = 7 * 24 * 3600;

  private static final RowMapper<Service> SERVICE =
      (rs, ctx) ->
          new Service(
              rs.getInt("id"),
              rs.getString("name"),
              rs.getString("category"),
              Money.of(rs.getBigDecimal("price")),
              rs.getInt("duration_seconds"),
              rs.getString("source"),
              rs.getBoolean("enabled"),
              rs.getString("protocol_code"));
  private static final String COLUMNS =
      "id, name, category, price, duration_seconds, source, enabled, protocol_code";

  /** What a service's code in the SMS-Activate protocol may be: its codes are a few letters. */
  private static final java.util.regex.Pattern PROTOCOL_CODE =
      java.util.regex.Pattern.compile("[a-z0-9_]{1,20}");

  /** How long a node lists the catalog it read before reading it again. */
  public static final Duration LISTING_MAX_AGE = Duration.ofSeconds(1);

  private final Database db;
  private final Set<String> sources;
  private final Clock clock;
  private final LoadingCache<Boolean, List<Service>> listing;

  /**
   * @param sources the number source names a service may use
   */
  public Catalog(Database db, Set<String> sources, Clock clock) {
    this.db = db;
    this.sources = Set.copyOf(sources);
    this.clock = clock;
    this.listing = Caffeine.newBuilder().expireAfterWrite(LISTING_MAX_AGE).build(all -> enabled());
  }

  /**
   * The changes an operator may make to a service; null fields stay as they are, and an empty
   * {@code protocolCode} takes the service's code away.
   */
  public record Change(
      String category, Money price, Integer durationSeconds, Boolean enabled, String protocolCode) {

    public Change(String category, Money price, Integer durationSeconds, Boolean enabled) {
      this(category, price, durationSeconds, enabled, null);
    }
  }

  /**
   * The enabled services as customers' listings show them: read from the database at most once a
   * {@link #LISTING_MAX_AGE} on each node, and at once after a change made through this node. A
   * change made through another node shows within that age; renting always reads the service.
   */
  public List<Service> listing() {
    return listing.get(Boolean.TRUE);
  }

  /** Every service, disabled ones too, read now: the operator's list. */
  public List<Service> all() {
    return db.read(
        h -> h.createQuery("SELECT " + COLUMNS + " FROM services ORDER BY id").map(SERVICE).list());
  }

  /** The enabled services, read now. */
  public List<Service> enabled() {
    return db.read(
        h ->
            h.createQuery("SELECT " + COLUMNS + " FROM services WHERE enabled ORDER BY id")
                .map(SERVICE)
                .list());
  }

  /** A service by its name (any case) or its {@code AppID-n} id, enabled or not. */
  public Optional<Service> find(String nameOrId) {
    return db.read(h -> find(h, nameOrId));
  }

  public Optional<Service> find(Handle h, String nameOrId) {
    if (nameOrId == null || nameOrId.isBlank() || nameOrId.length() > 100) {
      return Optional.empty();
    }
    Optional<Service> byName =
        h.createQuery("SELECT " + COLUMNS + " FROM services WHERE name_key = :key")
            .bind("key", nameKey(nameOrId))
            .map(SERVICE)
            .findOne();
    if (byName.isPresent()) {
      return byName;
    }
    return parsePublicId(nameOrId).flatMap(id -> byId(h, id));
  }

  /**
   * The enabled service with the given SMS-Activate protocol code ({@code ub}), or else with that
   * name or id: a client of the protocol names services by code, and a customer of ours by name.
   */
  public Optional<Service> findRentableByProtocolCode(String code) {
    if (code == null || code.isBlank() || code.length() > 100) {
      return Optional.empty();
    }
    return db.read(
        h ->
            h.createQuery("SELECT " + COLUMNS + " FROM services WHERE protocol_code = :code")
                .bind("code", code.strip().toLowerCase(Locale.ROOT))
                .map(SERVICE)
                .findOne()
                .or(() -> find(h, code))
                .filter(Service::enabled));
  }

  /**
   * The enabled service a customer names.
   *
   * @throws ApiException 404 when there is none
   */
  public Service requireRentable(String nameOrId) {
    return db.read(h -> requireRentable(h, nameOrId));
  }

  /**
   * The enabled service a customer names, read on {@code h}.
   *
   * @throws ApiException 404 when there is none
   */
  public Service requireRentable(Handle h, String nameOrId) {
    return find(h, nameOrId)
        .filter(Service::enabled)
        .orElseThrow(
            () ->
                ApiException.notFound(
                    "service_not_found",
                    "There is no service called '" + printable(nameOrId) + "'."));
  }

  public Service create(
      String name, String category, Money price, Integer durationSeconds, String source) {
    return create(name, category, price, durationSeconds, source, null);
  }

  /**
   * Adds a service.
   *
   * @param protocolCode its code in the SMS-Activate protocol, or null for none
   * @throws ApiException 400 for a bad field, 409 when the name or the code is taken
   */
  public Service create(
      String name,
      String category,
      Money price,
      Integer durationSeconds,
      String source,
      String protocolCode) {
    String code = protocolCode == null ? null : checkProtocolCode(protocolCode).orElse(null);
    String checkedName = requireText(name, "name", 100);
    String checkedCategory = requireText(category, "category", 60);
    checkPrice(price);
    int duration =
        durationSeconds == null ? DEFAULT_DURATION_SECONDS : checkDuration(durationSeconds);
    String checkedSource = source == null ? "simulator" : source;
    if (!sources.contains(checkedSource)) {
      throw ApiException.badRequest(
          "invalid_source",
          "Source must be one of " + String.join(", ", sources.stream().sorted().toList()) + ".");
    }
    if (checkedName.startsWith(Service.ID_PREFIX)) {
      throw ApiException.badRequest(
          "invalid_field", "A service name cannot look like a service id.");
    }
    long now = clock.instant().getEpochSecond();
    try {
      Service created =
          db.inTransaction(
              h -> {
                int id =
                    h.createUpdate(
                            """
                INSERT INTO services (name, name_key, category, price, duration_seconds, source, enabled,
                                      protocol_code, created_at)
                VALUES (:name, :key, :category, :price, :duration, :source, TRUE, :code, :now)
                """)
                        .bind("name", checkedName)
                        .bind("key", nameKey(checkedName))
                        .bind("category", checkedCategory)
                        .bind("price", price.amount())
                        .bind("duration", duration)
                        .bind("source", checkedSource)
                        .bind("code", code)
                        .bind("now", now)
                        .executeAndReturnGeneratedKeys("id")
                        .mapTo(Integer.class)
                        .one();
                return byId(h, id).orElseThrow();
              });
      listing.invalidateAll();
      return created;
    } catch (RuntimeException e) {
      if (Database.isUniqueViolation(e)) {
        throw code != null && protocolCodeTaken(code)
            ? protocolCodeConflict(code)
            : ApiException.conflict(
                "service_exists", "A service called '" + checkedName + "' exists already.");
      }
      throw e;
    }
  }

  public Service change(String nameOrId, Change change) {
    Service current =
        find(nameOrId)
            .orElseThrow(
                () ->
                    ApiException.notFound(
                        "service_not_found", "There is no service '" + printable(nameOrId) + "'."));
    String category =
        change.category() == null
            ? current.category()
            : requireText(change.category(), "category", 60);
    Money price = change.price() == null ? current.price() : checkPrice(change.price());
    int duration =
        change.durationSeconds() == null
            ? current.durationSeconds()
            : checkDuration(change.durationSeconds());
    boolean enabled = change.enabled() == null ? current.enabled() : change.enabled();
    String code =
        change.protocolCode() == null
            ? current.protocolCode()
            : checkProtocolCode(change.protocolCode()).orElse(null);
    Service changed;
    try {
      changed =
          db.inTransaction(
              h -> {
                h.createUpdate(
                        """
                UPDATE services SET category = :category, price = :price, duration_seconds = :duration,
                       enabled = :enabled, protocol_code = :code
                WHERE id = :id
                """)
                    .bind("category", category)
                    .bind("price", price.amount())
                    .bind("duration", duration)
                    .bind("enabled", enabled)
                    .bind("code", code)
                    .bind("id", current.id())
                    .execute();
                return byId(h, current.id()).orElseThrow();
              });
    } catch (RuntimeException e) {
      if (code != null && Database.isUniqueViolation(e)) {
        throw protocolCodeConflict(code);
      }
      throw e;
    }
    listing.invalidateAll();
    return changed;
  }

  /** A protocol code as stored (lower case), or empty for "" (no code). */
  private static Optional<String> checkProtocolCode(String raw) {
    String code = raw.strip().toLowerCase(Locale.ROOT);
    if (code.isEmpty()) {
      return Optional.empty();
    }
    if (!PROTOCOL_CODE.matcher(code).matches()) {
      throw ApiException.badRequest(
          "invalid_field",
          "protocol_code is 1 to 20 lower-case letters, digits or underscores, such as 'ub'.");
    }
    return Optional.of(code);
  }

  private boolean protocolCodeTaken(String code) {
    return db.read(
        h ->
            h.createQuery("SELECT COUNT(*) FROM services WHERE protocol_code = :code")
                    .bind("code", code)
                    .mapTo(Long.class)
                    .one()
                > 0);
  }

  private static ApiException protocolCodeConflict(String code) {
    return ApiException.conflict(
        "protocol_code_taken", "Another service has the protocol code '" + code + "'.");
  }

  private static Optional<Service> byId(Handle h, int id) {
    return h.createQuery("SELECT " + COLUMNS + " FROM services WHERE id = :id")
        .bind("id", id)
        .map(SERVICE)
        .findOne();
  }

  static Optional<Integer> parsePublicId(String value) {
    if (!value.regionMatches(true, 0, Service.ID_PREFIX, 0, Service.ID_PREFIX.length())) {
      return Optional.empty();
    }
    String digits = value.substring(Service.ID_PREFIX.length());
    if (digits.isEmpty()
        || digits.length() > 9
        || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return Optional.empty();
    }
    return Optional.of(Integer.parseInt(digits));
  }

  private static String nameKey(String name) {
    return name.strip().toLowerCase(Locale.ROOT);
  }

  private static Money checkPrice(Money price) {
    if (price == null || price.isNegative() || price.compareTo(Money.MAX_INPUT) > 0) {
      throw ApiException.badRequest("invalid_amount", "A price must be from 0 to 1000000000.");
    }
    return price;
  }

  private static int checkDuration(int seconds) {
    if (seconds < MIN_DURATION_SECONDS || seconds > MAX_DURATION_SECONDS) {
      throw ApiException.badRequest(
          "invalid_field",
          "duration_seconds must be from "
              + MIN_DURATION_SECONDS
              + " to "
              + MAX_DURATION_SECONDS
              + ".");
    }
    return seconds;
  }

  private static String requireText(String value, String field, int max) {
    if (value == null || value.isBlank()) {
      throw ApiException.badRequest("missing_field", "Field '" + field + "' is required.");
    }
    String trimmed = value.trim();
    if (trimmed.length() > max || trimmed.chars().anyMatch(Character::isISOControl)) {
      throw ApiException.badRequest(
          "invalid_field", "Field '" + field + "' has at most " + max + " printable characters.");
    }
    return trimmed;
  }

  /** Echoes a caller's value into a message without control characters or unbounded length. */
  public static String printable(String value) {
    if (value == null) {
      return "";
    }
    String cleaned =
        value
            .codePoints()
            .filter(c -> !Character.isISOControl(c))
            .limit(60)
            .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
            .toString();
    return cleaned;
  }

  /** How many services there are, rentable or not. */
  public long count() {
    return db.read(h -> h.createQuery("SELECT COUNT(*) FROM services").mapTo(Long.class).one());
  }
}
